// The server of the bench's 2026-era rows: the v2 MCP SDK's McpServer behind serveStdio (both
// eras; the rows pin 2026-07-28), with one tool, `echo`, answering as server-everything's does
// ("Echo: " + message), so the same timed operation runs in both eras.
import { McpServer } from '@modelcontextprotocol/server';
import { serveStdio } from '@modelcontextprotocol/server/stdio';
import { z } from 'zod';

serveStdio(() => {
  const server = new McpServer({ name: 'bench-echo-2026', version: '1.0.0' });
  server.registerTool(
    'echo',
    { description: 'Echoes back the input', inputSchema: z.object({ message: z.string() }) },
    ({ message }) => ({ content: [{ type: 'text', text: `Echo: ${message}` }] }),
  );
  return server;
});
