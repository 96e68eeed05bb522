/** Serving certificates for the loopback test doubles, made with openssl (test code only). */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface ServingCert {
  key: string;
  cert: string;
  /** The CA that signed it (PEM): what a client must trust. */
  ca: string;
}

const ossl = (args: string[], cwd: string) =>
  execFileSync("openssl", args, { cwd, stdio: ["ignore", "ignore", "pipe"] });

/**
 * A certificate for 127.0.0.1/localhost (and the extra DNS names and IPs given), signed by the given CA
 * (e.g. the test cluster's, so clients that trust the kubeconfig's CA trust it) or by a fresh one.
 */
export function servingCert(
  signer?: { caCertFile: string; caKeyFile: string },
  names: string[] = [],
  ips: string[] = [],
): ServingCert {
  const dir = mkdtempSync(join(tmpdir(), "gpuvm-sim-tls-"));
  try {
    const ca = signer ?? freshCa(dir);
    signServer(dir, ca, [
      "IP:127.0.0.1",
      "DNS:localhost",
      ...ips.map((ip) => `IP:${ip}`),
      ...names.map((name) => `DNS:${name}`),
    ]);
    return {
      key: readFileSync(join(dir, "srv.key"), "utf8"),
      cert: readFileSync(join(dir, "srv.crt"), "utf8"),
      ca: readFileSync(ca.caCertFile, "utf8"),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A throwaway self-signed CA in `dir`, valid two days. */
function freshCa(dir: string): { caCertFile: string; caKeyFile: string } {
  ossl(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "ca.key"], dir);
  ossl(
    [
      "req",
      "-x509",
      "-new",
      "-key",
      "ca.key",
      "-sha256",
      "-days",
      "2",
      "-subj",
      "/CN=gpuvm-sim-ca",
      "-out",
      "ca.crt",
    ],
    dir,
  );
  return { caCertFile: join(dir, "ca.crt"), caKeyFile: join(dir, "ca.key") };
}

/** srv.key and srv.crt in `dir`: a server certificate for the subject alternative names, signed by `ca`. */
function signServer(dir: string, ca: { caCertFile: string; caKeyFile: string }, altNames: string[]): void {
  ossl(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "srv.key"], dir);
  ossl(["req", "-new", "-key", "srv.key", "-subj", "/CN=gpuvm-sim", "-out", "srv.csr"], dir);
  writeFileSync(join(dir, "srv.ext"), `subjectAltName=${altNames.join(",")}\nextendedKeyUsage=serverAuth\n`);
  const signWith = [
    "-CA",
    ca.caCertFile,
    "-CAkey",
    ca.caKeyFile,
    "-CAcreateserial",
    "-CAserial",
    join(dir, "ca.srl"),
  ];
  ossl(
    [
      "x509",
      "-req",
      "-in",
      "srv.csr",
      ...signWith,
      "-days",
      "2",
      "-sha256",
      "-extfile",
      "srv.ext",
      "-out",
      "srv.crt",
    ],
    dir,
  );
}
