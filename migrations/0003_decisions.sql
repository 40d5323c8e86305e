CREATE TABLE `decisions` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`session_id` text NOT NULL,
	`run_id` text NOT NULL,
	`tool_call_id` text,
	`tool_name` text NOT NULL,
	`subject` text NOT NULL,
	`requested_for` text NOT NULL,
	`thread_id` text NOT NULL,
	`message_id` text,
	`outcome` text DEFAULT 'pending' NOT NULL,
	`decided_by` text,
	`detail` text,
	`created_at` integer DEFAULT (cast(unixepoch('subsecond') * 1000 as integer)) NOT NULL,
	`decided_at` integer,
	FOREIGN KEY (`session_id`) REFERENCES `sessions`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`run_id`) REFERENCES `runs`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `decisions_session` ON `decisions` (`session_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `decisions_run` ON `decisions` (`run_id`);--> statement-breakpoint
CREATE INDEX `decisions_outcome` ON `decisions` (`outcome`);