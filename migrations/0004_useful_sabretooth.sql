ALTER TABLE `runs` ADD `context_tokens` integer;--> statement-breakpoint
ALTER TABLE `runs` ADD `context_window` integer;--> statement-breakpoint
ALTER TABLE `steering` ADD `leased_run_id` text;--> statement-breakpoint
ALTER TABLE `steering` ADD `leased_at` integer;