// The generated labs of the benchmarks give every VM its own MAC: a locally administered 02:00:00:00:…
// address numbered by the VM, unique for up to 65,536 VMs.
export function vmMac(index: number): string {
  const byte = (value: number) => (value & 255).toString(16).padStart(2, "0");
  return `02:00:00:00:${byte(index >> 8)}:${byte(index)}`;
}
