// MAC address rules: fixed MACs are what the router's static leases key on (seed 000, "Fixed MAC
// Addresses and Static DHCP Leases"), so each must be real, unique and safe to invent.
import type { Nic, Vm } from "../model/lab.js";
import type { Hit, LintContext, Rule } from "./finding.js";
import { repeatsOfFirst } from "./repeats.js";

const MAC = /^[0-9a-f]{2}([:-])[0-9a-f]{2}(\1[0-9a-f]{2}){4}$/i;

interface MacNic {
  vm: Vm;
  nic: Nic;
  mac: string;
}

function macs({ lab }: LintContext): MacNic[] {
  return lab.vms.flatMap((vm) =>
    vm.nics.flatMap((nic) => (nic.mac === undefined ? [] : [{ vm, nic, mac: nic.mac }])),
  );
}

/** The seed's router template skips any MAC with "XX" in it; any x stands for a digit to fill in. */
const isPlaceholder = (mac: string) => /x/i.test(mac);
const isWellFormed = (mac: string) => !isPlaceholder(mac) && MAC.test(mac);
const firstOctet = (mac: string) => Number.parseInt(mac.slice(0, 2), 16);
const normal = (mac: string) => mac.toLowerCase().replaceAll("-", ":");

function hit({ vm, nic }: MacNic, message: string, fix: string): Hit {
  return { path: [...nic.path, "mac"], message, fix, vm: vm.name };
}

const inventFix = (entry: MacNic) =>
  `pick a locally administered unicast MAC for vms.${entry.vm.name}.nics.${entry.nic.network.key}.mac, such as "8a:d3:14:xx:xx:xx" with the x filled in`;

export const macRules: Rule[] = [
  {
    id: "GV019",
    severity: "error",
    title: "A malformed MAC address",
    check: (context) =>
      macs(context)
        .filter((entry) => !isPlaceholder(entry.mac) && !MAC.test(entry.mac))
        .map((entry) =>
          hit(
            entry,
            `MAC "${entry.mac}" of VM "${entry.vm.name}" is not six hex octets separated by ":"`,
            inventFix(entry),
          ),
        ),
  },
  {
    id: "GV020",
    severity: "error",
    title: "A placeholder MAC address (XX)",
    check: (context) =>
      macs(context)
        .filter((entry) => isPlaceholder(entry.mac))
        .map((entry) =>
          hit(
            entry,
            `MAC "${entry.mac}" of VM "${entry.vm.name}" is a placeholder: the router's static-lease template skips MACs containing "XX", so the VM gets no fixed IP or DNS name`,
            inventFix(entry),
          ),
        ),
  },
  {
    id: "GV021",
    severity: "error",
    title: "A multicast MAC address",
    check: (context) =>
      macs(context)
        .filter((entry) => isWellFormed(entry.mac) && (firstOctet(entry.mac) & 1) === 1)
        .map((entry) =>
          hit(
            entry,
            `MAC "${entry.mac}" of VM "${entry.vm.name}" has the multicast bit set (first octet is odd): a NIC cannot own a multicast address`,
            inventFix(entry),
          ),
        ),
  },
  {
    id: "GV022",
    severity: "warning",
    title: "A MAC address that is not locally administered",
    check: (context) =>
      macs(context)
        .filter(
          (entry) =>
            isWellFormed(entry.mac) && (firstOctet(entry.mac) & 1) === 0 && (firstOctet(entry.mac) & 2) === 0,
        )
        .map((entry) =>
          hit(
            entry,
            `MAC "${entry.mac}" of VM "${entry.vm.name}" is a vendor (universally administered) address: it may clash with real hardware on the LAN`,
            `set the locally administered bit (second-lowest bit of the first octet, e.g. 02:… or 8a:…); ${inventFix(entry)}`,
          ),
        ),
  },
  {
    id: "GV023",
    severity: "error",
    title: "Two NICs with the same MAC address",
    check: (context) =>
      repeatsOfFirst(
        macs(context).filter((candidate) => isWellFormed(candidate.mac)),
        (entry) => normal(entry.mac),
      ).map(({ item: entry, first }) =>
        hit(
          entry,
          `MAC "${entry.mac}" of VM "${entry.vm.name}" is already used by VM "${first.vm.name}" (network ${first.nic.network.key}): the router hands both the same lease and the LAN sees one host`,
          inventFix(entry),
        ),
      ),
  },
];
