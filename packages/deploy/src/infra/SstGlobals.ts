import type { InfraProvider, Output } from "./InfraProvider.js";

/**
 * The subset of SST's config-time globals `sst.config.ts` uses, so the file type-checks without
 * SST's generated `.sst/platform` types (they need `sst install`, i.e. the internet). The file
 * declares its globals with these types; at deploy time SST provides the real ones.
 */
export interface SstAppInput {
  readonly stage?: string;
}

export interface SstAppConfig {
  readonly name: string;
  readonly removal: "remove" | "retain" | "retain-all";
  readonly protect: boolean;
  readonly home: "aws";
  readonly providers: { readonly aws: { readonly region: string } };
}

export interface SstConfigDefinition<Outputs> {
  readonly app: (input: SstAppInput | undefined) => SstAppConfig;
  readonly run: () => Promise<Outputs>;
}

export type SstConfigFn = <Outputs>(definition: SstConfigDefinition<Outputs>) => SstConfigDefinition<Outputs>;

export interface SstApp {
  readonly name: string;
  readonly stage: string;
}

export type SstAwsGlobal = InfraProvider["aws"] & {
  readonly getCallerIdentityOutput: (args: Readonly<Record<string, never>>) => { readonly accountId: Output<string> };
  readonly getRegionOutput: (args: Readonly<Record<string, never>>) => { readonly region: Output<string> };
};
