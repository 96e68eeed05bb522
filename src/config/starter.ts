// The commented lab file `gpuvm init` writes: valid as it stands, every line explained.
export const STARTER_LAB = `# yaml-language-server: $schema=./gpuvm.schema.json
# (the schema editors check this file against: \`gpuvm init\` writes gpuvm.schema.json beside it;
# \`gpuvm schema > gpuvm.schema.json\` writes it again after an upgrade.)
# A gpuvm lab: one host with a GPU, and a VM that runs with the GPU (live) or without it (maintenance).
# Check it with \`gpuvm validate -f lab.yaml\`, see the objects with \`gpuvm render -f lab.yaml\`.
apiVersion: gpuvm/v1alpha1
kind: Lab
metadata:
  name: homelab
cluster:
  namespace: gaming          # where the VMs, disks and network live
  kubevirt: v1.6.3           # versions your cluster runs (lint checks they fit together)
  cdi: v1.63.1
hosts:
  tower1:                    # the node name in Kubernetes
    capacity: { cpu: 16, memory: 32Gi }   # "80%" in a mode means 80% of this
    gpus:
      rtx3080:
        # Every function of the GPU's IOMMU group (\`gpuvm init --from-host\` fills this from the host).
        functions:
          - { address: "0000:09:00.0", id: "10de:2206", resource: nvidia.com/rtx3080 }
          - { address: "0000:09:00.1", id: "10de:1aef", resource: nvidia.com/rtx3080-audio }
    bridge: { name: local-br0, uplink: enp9s0 }
storage:
  system: { name: nvme-x3, replicas: 3, disk: nvme, binding: Immediate }   # Longhorn, reclaimPolicy Retain
  data: { name: hdd-x1, replicas: 1, disk: hdd, binding: Immediate }
networks:
  lan: { bridge: local-br0, binding: managedTap, subnet: 192.168.26.0/24, domain: vms.lab.example }
vms:
  gaming:
    os: linux                # linux, windows or windows11
    disks:
      system: { size: 64Gi, storage: system }    # boots first
      data: { size: 512Gi, storage: data }
    nics:
      lan: { mac: "8a:d3:14:ca:21:70", ip: 192.168.26.100 }   # a fixed MAC keeps the router's lease
    modes:
      live: { host: tower1, cpu: 80%, memory: 80%, gpus: [rtx3080], priority: gaming-priority }
      maintenance: { cpu: 2, memory: 4Gi }       # no GPU; prefers tower1 but may run elsewhere
`;
