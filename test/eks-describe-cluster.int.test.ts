/**
 * The EKS data source without the aws CLI: DescribeCluster (against moto_server with the real
 * SDK) gives the API endpoint and CA, and every request carries a `k8s-aws-v1.` IAM token.
 */
import { CreateClusterCommand, EKSClient } from "@aws-sdk/client-eks";
import { MOTO_SKIP_REASON, motoAvailable, motoClientConfig, startMotoServer } from "@sre-on-call/adapters/testing/motoServer";
import { EKS_TOKEN_PREFIX, kubeConfigForEks } from "@sre-on-call/agents";
import { Effect, Exit } from "effect";
import { describe, expect, it } from "vitest";

const credentials = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" };

describe.skipIf(!motoAvailable())(`EKS DescribeCluster on moto_server${motoAvailable() ? "" : ` (skipped: ${MOTO_SKIP_REASON})`}`, () => {
  it("builds a kubeconfig from DescribeCluster and signs an IAM bearer token; an unknown cluster is a clear not-found", async () => {
    const moto = await startMotoServer();
    try {
      const client = new EKSClient(motoClientConfig(moto.endpoint));
      const created = await client.send(
        new CreateClusterCommand({
          name: "prod-eu-1",
          roleArn: "arn:aws:iam::123456789012:role/eks-cluster",
          resourcesVpcConfig: { subnetIds: ["subnet-1", "subnet-2"] }
        })
      );
      const kc = await Effect.runPromise(kubeConfigForEks({ clusterName: "prod-eu-1", region: "us-east-1", client, credentials }));
      const cluster = kc.getCurrentCluster();
      expect(cluster?.server).toBe(created.cluster?.endpoint);
      expect(cluster?.server).toMatch(/^https:\/\//);
      const init = await kc.applyToFetchOptions({});
      const auth = new Headers(init.headers as ConstructorParameters<typeof Headers>[0]).get("authorization") ?? "";
      expect(auth.startsWith(`Bearer ${EKS_TOKEN_PREFIX}`)).toBe(true);
      expect(auth).not.toContain(credentials.secretAccessKey);

      const missing = await Effect.runPromiseExit(kubeConfigForEks({ clusterName: "nope", region: "us-east-1", client, credentials }));
      expect(Exit.isFailure(missing)).toBe(true);
      expect(String(missing)).toMatch(/not-found|ResourceNotFound/);
      client.destroy();
    } finally {
      await moto.stop();
    }
  });
});
