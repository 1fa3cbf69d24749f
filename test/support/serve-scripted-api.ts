/**
 * Runs the scripted Anthropic-compatible API on its own, for trying Baton by
 * hand with the real claude CLI (see the README). The fifth session it sees
 * replies with the completion marker.
 */
import { startScriptedServer, USAGE_PATH } from './scripted-anthropic-server';
import { iterationScript } from './scripts';

const completeAt = Number(process.env.SCRIPTED_COMPLETE_AT ?? 5);
const server = await startScriptedServer(iterationScript(completeAt));
process.stdout.write(`scripted Anthropic API listening on ${server.url}\n`);
process.stdout.write(`per-session usage it served: ${server.url}${USAGE_PATH}\n`);
// One line per request, so a person trying Baton by hand can follow along.
let logged = 0;
setInterval(() => {
  for (const request of server.requests.slice(logged)) {
    const body = request.body;
    process.stdout.write(
      `${request.method} ${request.path} session=${request.sessionId ?? '-'} model=${body?.model ?? '-'} stream=${body?.stream ?? '-'} messages=${body?.messages?.length ?? '-'} max_tokens=${String(body?.max_tokens ?? '-')}\n`,
    );
  }
  logged = server.requests.length;
}, 200).unref();
const stop = () => void server.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
