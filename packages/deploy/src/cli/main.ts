import { createInterface } from "node:readline";
import { runCli } from "./runCli.js";

const stdinLines = () => createInterface({ input: process.stdin, crlfDelay: Infinity });
const stdinText = async () => {
  const chunks: Array<Buffer> = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
};

const code = await runCli(process.argv.slice(2), {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  stdinLines,
  stdinText,
  env: process.env,
  cwd: process.cwd(),
  isTty: process.stderr.isTTY === true
});
process.exitCode = code;
