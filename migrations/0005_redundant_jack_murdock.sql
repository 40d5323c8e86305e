CREATE TABLE `named_tokens` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`discord_user_id` text NOT NULL,
	`digest` text NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsecond') * 1000 as integer)) NOT NULL,
	`last_used_at` integer,
	`revoked_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `named_tokens_digest_unique` ON `named_tokens` (`digest`);--> statement-breakpoint
CREATE UNIQUE INDEX `named_tokens_live_name` ON `named_tokens` (`discord_user_id`,`name`) WHERE "named_tokens"."revoked_at" is null;--> statement-breakpoint
CREATE INDEX `named_tokens_user` ON `named_tokens` (`discord_user_id`);