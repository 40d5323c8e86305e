CREATE TABLE `outbox` (
	`id` text PRIMARY KEY NOT NULL,
	`session_id` text,
	`thread_id` text NOT NULL,
	`position` integer NOT NULL,
	`kind` text NOT NULL,
	`content` text NOT NULL,
	`files` text,
	`reply_to` text,
	`fallback` text,
	`status` text DEFAULT 'pending' NOT NULL,
	`failures` integer DEFAULT 0 NOT NULL,
	`last_error` text,
	`created_at` integer DEFAULT (cast(unixepoch('subsecond') * 1000 as integer)) NOT NULL,
	`settled_at` integer,
	FOREIGN KEY (`session_id`) REFERENCES `sessions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `outbox_thread_position` ON `outbox` (`thread_id`,`position`);--> statement-breakpoint
CREATE INDEX `outbox_status` ON `outbox` (`status`,`settled_at`);