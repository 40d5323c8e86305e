#!/usr/bin/env node
// Runs the TypeScript source under tsx, so the server needs no build step in a checkout.
import { register } from "tsx/esm/api";

register();
await import("./src/cli.ts");
