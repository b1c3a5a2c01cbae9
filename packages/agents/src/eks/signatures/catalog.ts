import { compileCatalog } from "./compileCatalog.js";
import config from "./families/config.json" with { type: "json" };
import coredns from "./families/coredns.json" with { type: "json" };
import curl from "./families/curl.json" with { type: "json" };
import dns from "./families/dns.json" with { type: "json" };
import dotnet from "./families/dotnet.json" with { type: "json" };
import elasticsearch from "./families/elasticsearch.json" with { type: "json" };
import exec from "./families/exec.json" with { type: "json" };
import filesystem from "./families/filesystem.json" with { type: "json" };
import go from "./families/go.json" with { type: "json" };
import helm from "./families/helm.json" with { type: "json" };
import java from "./families/java.json" with { type: "json" };
import migrations from "./families/migrations.json" with { type: "json" };
import mysql from "./families/mysql.json" with { type: "json" };
import nats from "./families/nats.json" with { type: "json" };
import nginx from "./families/nginx.json" with { type: "json" };
import node from "./families/node.json" with { type: "json" };
import ports from "./families/ports.json" with { type: "json" };
import postgresql from "./families/postgresql.json" with { type: "json" };
import python from "./families/python.json" with { type: "json" };
import rbac from "./families/rbac.json" with { type: "json" };
import redis from "./families/redis.json" with { type: "json" };
import shell from "./families/shell.json" with { type: "json" };
import slow from "./families/slow.json" with { type: "json" };
import tls from "./families/tls.json" with { type: "json" };

/**
 * The family files in the order they are tried: servers and runtimes first (their messages are
 * the most specific), then the generic families (TLS, DNS, files, configuration, processes),
 * whose broad patterns only name a line no specific signature claimed.
 */
export const FAMILIES: ReadonlyArray<unknown> = [postgresql, mysql, redis, elasticsearch, ports, nginx, coredns, nats, helm, migrations, java, dotnet, python, node, rbac, go, exec, shell, curl, slow, tls, dns, filesystem, config];

/** The catalog every log scan uses. */
export const CATALOG = compileCatalog(FAMILIES);
