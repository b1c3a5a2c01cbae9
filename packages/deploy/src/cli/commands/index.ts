import type { Command } from "../CliIo.js";
import { classifyCommand } from "./classify.js";
import { configCommand } from "./config.js";

export const commands: ReadonlyArray<Command> = [classifyCommand, configCommand];
