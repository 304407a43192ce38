// Entry point: `tsx src/main.ts [command]` (npm start runs `serve`).
import { main } from './cli/index.js';

await main(process.argv);
