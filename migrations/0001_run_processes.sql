CREATE TABLE `run_processes` (
	`id` text PRIMARY KEY NOT NULL,
	`run_id` text NOT NULL,
	`role` text NOT NULL,
	`pid` integer NOT NULL,
	`start_ticks` integer NOT NULL,
	`boot_id` text NOT NULL,
	`name` text,
	`ended_by` text,
	`created_at` integer DEFAULT (cast(unixepoch('subsecond') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`run_id`) REFERENCES `runs`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `run_processes_run` ON `run_processes` (`run_id`);