// The local DynamoDB stand-in (dynalite, persisted with LevelDB) in a process of its own, so that it
// runs on a core of its own beside the gateway and the functions. Started by `stand-ins.ts` with
// the data folder as its argument; answers its port, then, when asked, the requests served and the
// CPU time spent (what a benchmark charges to the store), and exits when told to stop or when its parent goes away.
import dynalite from 'dynalite';

const path = process.argv[2];
if (!path || !process.send) {
  process.stderr.write('usage: fork dynalite-server.mjs <data folder> (with an IPC channel)\n');
  process.exit(2);
}
const server = dynalite({ path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
let requests = 0;
server.on('request', () => {
  requests++;
});
server.once('error', (error) => {
  process.send({ error: error.message });
  process.exit(1);
});
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
process.on('message', (message) => {
  if (message === 'usage') {
    const cpu = process.cpuUsage();
    process.send({ usage: { requests, cpuMs: (cpu.user + cpu.system) / 1000 } });
  }
  if (message === 'stop') server.close(() => process.exit(0));
});
process.on('disconnect', () => process.exit(0));
