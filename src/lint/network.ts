// Network rules: static leases, subnets, DNS names and host bridges (seed 000, "Challenge 2:
// Networking Configuration": Multus bridge on local-br0, managedTap, router leases <vm>.<domain>).
import type { Nic, Vm } from "../model/lab.js";
import type { Hit, Rule } from "./finding.js";
import { repeatsOfFirst } from "./repeats.js";

function ipToNumber(ip: string): number | undefined {
  const parts = ip.split(".").map(Number);
  if (parts.length !== 4 || parts.some((part) => !Number.isInteger(part) || part < 0 || part > 255))
    return undefined;
  return parts.reduce((sum, part) => sum * 256 + part, 0);
}

interface Subnet {
  network: number;
  broadcast: number;
}

function parseSubnet(cidr: string): Subnet | undefined {
  const [address = "", bits = ""] = cidr.split("/");
  const base = ipToNumber(address);
  const prefix = Number(bits);
  if (base === undefined || !Number.isInteger(prefix) || prefix < 0 || prefix > 32) return undefined;
  const size = 2 ** (32 - prefix);
  const network = Math.floor(base / size) * size;
  return { network, broadcast: network + size - 1 };
}

/** A DNS name: dot-separated labels of letters, digits and '-', 253 characters at most. */
function dnsNameProblem(name: string): string | undefined {
  if (name.length > 253) return `is ${name.length} characters long (a DNS name has at most 253)`;
  const bad = name.split(".").find((label) => !/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/i.test(label));
  return bad === undefined ? undefined : `has the label "${bad}", which is not a DNS label`;
}

interface IpNic {
  vm: Vm;
  nic: Nic;
  ip: string;
  value: number;
}

function ips(vms: Vm[]): IpNic[] {
  return vms.flatMap((vm) =>
    vm.nics.flatMap((nic) => {
      const value = nic.ip === undefined ? undefined : ipToNumber(nic.ip);
      return nic.ip === undefined || value === undefined ? [] : [{ vm, nic, ip: nic.ip, value }];
    }),
  );
}

export const networkRules: Rule[] = [
  {
    id: "GV024",
    severity: "error",
    title: "Two NICs with the same IP on one network",
    check: ({ lab }) =>
      repeatsOfFirst(ips(lab.vms), (entry) => `${entry.nic.network.key}|${entry.value}`).map(
        ({ item: entry, first }): Hit => ({
          path: [...entry.nic.path, "ip"],
          message: `IP ${entry.ip} of VM "${entry.vm.name}" is already VM "${first.vm.name}"'s on network ${entry.nic.network.key}: the router can lease it to one MAC only`,
          fix: `give vms.${entry.vm.name}.nics.${entry.nic.network.key}.ip an address no other VM uses`,
          vm: entry.vm.name,
        }),
      ),
  },
  {
    id: "GV025",
    severity: "error",
    title: "An IP outside its network's subnet, or the subnet's network, broadcast or gateway address",
    check: ({ lab }) =>
      ips(lab.vms).flatMap((entry): Hit[] => {
        const network = entry.nic.network;
        const subnet = network.subnet === undefined ? undefined : parseSubnet(network.subnet);
        if (!subnet || network.subnet === undefined) return [];
        const gateway = network.gateway === undefined ? undefined : ipToNumber(network.gateway);
        const problem =
          entry.value < subnet.network || entry.value > subnet.broadcast
            ? `is outside ${network.subnet}`
            : entry.value === subnet.network
              ? `is the network address of ${network.subnet}`
              : entry.value === subnet.broadcast
                ? `is the broadcast address of ${network.subnet}`
                : entry.value === gateway
                  ? `is the gateway of ${network.subnet}`
                  : undefined;
        if (!problem) return [];
        return [
          {
            path: [...entry.nic.path, "ip"],
            message: `IP ${entry.ip} of VM "${entry.vm.name}" ${problem} (network ${network.key}): the router cannot lease it on that network`,
            fix: `pick a host address inside ${network.subnet} other than the gateway`,
            vm: entry.vm.name,
          },
        ];
      }),
  },
  {
    id: "GV026",
    severity: "warning",
    title: "A static IP inside the network's host-local IPAM range",
    check: ({ lab }) =>
      ips(lab.vms).flatMap((entry): Hit[] => {
        const range = entry.nic.network.range;
        if (!range) return [];
        const start = ipToNumber(range.start);
        const end = ipToNumber(range.end);
        if (start === undefined || end === undefined || entry.value < start || entry.value > end) return [];
        return [
          {
            path: [...entry.nic.path, "ip"],
            message: `IP ${entry.ip} of VM "${entry.vm.name}" lies in the host-local range ${range.start}–${range.end} of network ${entry.nic.network.key}: Kubernetes may report that address for another VM's pod while this guest holds it`,
            fix: `move networks.${entry.nic.network.key}.range off the static leases, or the lease off the range`,
            vm: entry.vm.name,
          },
        ];
      }),
  },
  {
    id: "GV027",
    severity: "error",
    title: "A network domain (or <vm>.<domain>) that is not a valid DNS name",
    check: ({ lab }) =>
      lab.networks.flatMap((network): Hit[] => {
        const domain = network.domain;
        if (domain === undefined) return [];
        const problem = dnsNameProblem(domain);
        if (problem)
          return [
            {
              path: [...network.path, "domain"],
              message: `domain "${domain}" of network ${network.key} ${problem}: the router cannot publish <vm>.${domain}`,
              fix: "use lower-case letters, digits, '-' and dots, such as vms.lab.example",
            },
          ];
        return lab.vms
          .filter((vm) => vm.nics.some((nic) => nic.network === network))
          .flatMap((vm): Hit[] => {
            const nameProblem = dnsNameProblem(`${vm.name}.${domain}`);
            return nameProblem
              ? [
                  {
                    path: vm.path,
                    key: true,
                    message: `DNS name ${vm.name}.${domain} ${nameProblem}`,
                    fix: `shorten the VM name or networks.${network.key}.domain`,
                    vm: vm.name,
                  },
                ]
              : [];
          });
      }),
  },
  {
    id: "GV028",
    severity: "warning",
    title: "A VM on a bridge network whose host does not define that bridge",
    check: ({ lab }) =>
      lab.vms.flatMap((vm) =>
        vm.modes.flatMap((mode) => {
          const host = mode.host;
          if (!host) return [];
          return vm.nics
            .filter((nic) => host.bridge?.name !== nic.network.bridge)
            .map(
              (nic): Hit => ({
                path: [...nic.path],
                key: true,
                message: `${mode.objectName} runs on host "${host.name}" and joins network ${nic.network.key} on bridge ${nic.network.bridge}, but hosts.${host.name}.bridge ${host.bridge ? `is ${host.bridge.name}` : "is not set"}: the bridge CNI finds no bridge and the pod does not start`,
                fix: `set hosts.${host.name}.bridge: { name: ${nic.network.bridge}, uplink: <nic> } (gpuvm's host target renders the unit that creates it)`,
                vm: vm.name,
              }),
            );
        }),
      ),
  },
];
