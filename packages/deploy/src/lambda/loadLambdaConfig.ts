import { resolve } from "node:path";
import { Result } from "effect";
import type { Env } from "../composition/buildApp.js";
import type { AppConfig } from "../config/AppConfig.js";
import { ConfigError, loadConfigFile, parseConfigText } from "../config/loadConfig.js";

/**
 * The configuration of the Lambda host: inline YAML in `SRE_ON_CALL_CONFIG_YAML` (handy for a
 * function whose package holds no config file), or the file `SRE_ON_CALL_CONFIG` names, relative
 * to `cwd` (the function's code directory), by default `config.yaml` there. Setting both is an
 * error rather than a guess about which one wins.
 */
export const loadLambdaConfig = async (env: Env, cwd: string): Promise<Result.Result<AppConfig, ConfigError>> => {
  const inline = env["SRE_ON_CALL_CONFIG_YAML"];
  const file = env["SRE_ON_CALL_CONFIG"];
  const hasInline = inline !== undefined && inline.trim() !== "";
  const hasFile = file !== undefined && file !== "";
  if (hasInline && hasFile) {
    return Result.fail(new ConfigError("the environment", ["SRE_ON_CALL_CONFIG and SRE_ON_CALL_CONFIG_YAML are both set; keep one (a config file path, or the YAML itself)."]));
  }
  if (hasInline) return parseConfigText(inline, "SRE_ON_CALL_CONFIG_YAML");
  return loadConfigFile(resolve(cwd, hasFile ? file : "config.yaml"));
};
