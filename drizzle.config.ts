// drizzle-kit reads this to turn src/store/schema.ts into SQL migrations: `npm run db:generate`.
import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "sqlite",
  schema: "./src/store/schema.ts",
  out: "./migrations",
});
