import type { Command } from "../CliIo.js";
import { classifyCommand } from "./classify.js";
import { configCommand } from "./config.js";
import { investigateCommand } from "./investigate.js";
import { serveCommand } from "./serve.js";

export const commands: ReadonlyArray<Command> = [investigateCommand, classifyCommand, serveCommand, configCommand];
