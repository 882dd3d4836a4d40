/** @takes/client, @takes/contracts and @takes/ids, by name, to their src/index.ts (for Vite's resolve.alias). */
export const workspaceAliases: Record<string, string>;
