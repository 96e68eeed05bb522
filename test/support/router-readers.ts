// Readers for the subset of OpenWrt UCI and dnsmasq configuration the router target writes, so tests
// check what a router would read rather than the text's exact shape.

export interface UciSection {
  type: string;
  name?: string;
  options: Record<string, string>;
}

/** Parses `config TYPE ['NAME']` sections with `option KEY 'VALUE'` lines; comments and blanks skipped. */
export function readUci(text: string): UciSection[] {
  const sections: UciSection[] = [];
  const value = (raw: string) => raw.replace(/^'(.*)'$/, "$1").replaceAll("'\\''", "'");
  for (const [index, line] of text.split("\n").entries()) {
    const trimmed = line.trim();
    if (trimmed === "" || trimmed.startsWith("#")) continue;
    const config = /^config\s+(\S+)(?:\s+(\S+))?$/.exec(trimmed);
    if (config?.[1]) {
      sections.push({ type: config[1], ...(config[2] ? { name: value(config[2]) } : {}), options: {} });
      continue;
    }
    const option = /^option\s+(\S+)\s+('(?:[^']|'\\'')*')$/.exec(trimmed);
    const current = sections.at(-1);
    if (!option?.[1] || !option[2] || !current) throw new Error(`line ${index + 1}: not UCI: ${line}`);
    current.options[option[1]] = value(option[2]);
  }
  return sections;
}

export interface DnsmasqConfig {
  dhcpHosts: { mac: string; ip: string; name: string }[];
  hostRecords: { names: string[]; ip: string }[];
}

/** Parses dhcp-host=MAC,IP,NAME and host-record=NAME...,IP lines; any other option is an error. */
export function readDnsmasq(text: string): DnsmasqConfig {
  const config: DnsmasqConfig = { dhcpHosts: [], hostRecords: [] };
  for (const [index, line] of text.split("\n").entries()) {
    if (line.trim() === "" || line.startsWith("#")) continue;
    const [key, raw = ""] = line.split("=", 2);
    const fields = raw.split(",");
    if (key === "dhcp-host" && fields.length === 3) {
      const [mac = "", ip = "", name = ""] = fields;
      config.dhcpHosts.push({ mac, ip, name });
    } else if (key === "host-record" && fields.length >= 2) {
      config.hostRecords.push({ names: fields.slice(0, -1), ip: fields.at(-1) ?? "" });
    } else {
      throw new Error(`line ${index + 1}: not a dhcp-host or host-record: ${line}`);
    }
  }
  return config;
}
