// Seed 000's router: a static lease and a DNS name per VM NIC (gaming.vms.lab.x.y.z → 192.168.26.100).
import { describe, expect, it } from "vitest";
import { parseModel } from "../../src/model/index.js";
import { renderRouterTarget } from "../../src/render/targets/router.js";
import { exampleLab, exampleText } from "../support/labs.js";
import { readDnsmasq, readUci } from "../support/router-readers.js";

const homelab = exampleLab("homelab");
const expected = [
  { vm: "gaming", fqdn: "gaming.vms.lab.x.y.z", mac: "8a:d3:14:ca:21:70", ip: "192.168.26.100" },
  {
    vm: "gaming-compat",
    fqdn: "gaming-compat.vms.lab.x.y.z",
    mac: "8A:D3:14:CA:21:7A",
    ip: "192.168.26.101",
  },
];

describe("router target", () => {
  it("writes the seed's UCI host sections: name, mac, ip and dns 1", () => {
    const [file] = renderRouterTarget(homelab).files;
    expect(file?.path).toBe("dhcp-static-leases.uci");
    expect(readUci(file?.content ?? "")).toEqual(
      expected.map((lease) => ({
        type: "host",
        options: { name: lease.fqdn, mac: lease.mac, ip: lease.ip, dns: "1" },
      })),
    );
  });

  it("writes dnsmasq dhcp-host and host-record lines with the same MACs, IPs and names", () => {
    const [file] = renderRouterTarget(homelab, { format: "dnsmasq" }).files;
    expect(file?.path).toBe("dnsmasq-static-leases.conf");
    expect(readDnsmasq(file?.content ?? "")).toEqual({
      dhcpHosts: expected.map((lease) => ({ mac: lease.mac, ip: lease.ip, name: lease.vm })),
      hostRecords: expected.map((lease) => ({ names: [lease.fqdn], ip: lease.ip })),
    });
  });

  it("skips placeholder MACs and NICs without an IP, and says so", () => {
    const text = exampleText("homelab")
      .replace('mac: "8a:d3:14:ca:21:70"', 'mac: "8a:d3:14:ca:XX:XX"')
      .replace('mac: "8A:D3:14:CA:21:7A", ip: 192.168.26.101', 'mac: "8A:D3:14:CA:21:7A"');
    const output = renderRouterTarget(parseModel(text));
    expect(readUci(output.files[0]?.content ?? "")).toEqual([]);
    expect(output.notes).toEqual([
      "gaming on lan: MAC 8a:d3:14:ca:XX:XX is a placeholder, no static lease",
      "gaming-compat on lan: no IP, no static lease",
    ]);
  });

  it("names a VM on a network without a domain by its name alone", () => {
    const text = exampleText("homelab").replace("    domain: vms.lab.x.y.z\n", "");
    const records = readDnsmasq(
      renderRouterTarget(parseModel(text), { format: "dnsmasq" }).files[0]?.content ?? "",
    );
    expect(records.hostRecords.map((record) => record.names)).toEqual([["gaming"], ["gaming-compat"]]);
  });

  it("the readers reject what they do not understand (they are not rubber stamps)", () => {
    expect(() => readUci("config host\n\toption name unquoted\n")).toThrow("not UCI");
    expect(() => readDnsmasq("address=/x/1.2.3.4\n")).toThrow("not a dhcp-host");
  });
});
