import { defineConfig } from 'drizzle-kit';

// drizzle-kit generates SQL migrations from the schema; the app applies them at start.
export default defineConfig({
  dialect: 'sqlite',
  schema: './src/db/schema.ts',
  out: './migrations',
});
