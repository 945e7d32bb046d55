/* The runtime-spec schema as runc decodes it (spec.h).
 *
 * Source: specs-go/config.go of runtime-spec v1.0.2 (Debian's
 * golang-github-opencontainers-specs-dev, which runc 1.1 vendors) and
 * v1.2/v1.3 (runc 1.2 and later): every field any of them knows, so a
 * fold-misspelling of a field that only a newer runc reads is still
 * caught.  Where a field's type changed between versions it is SK_ANY
 * and documented; runc itself rejects what its version cannot decode. */
#include "schema.h"

#define N(a) (sizeof (a) / sizeof ((a)[0]))
#define STRUCT(var, goname, fields) const struct schema_struct var = { goname, fields, N (fields) }

#define F_STR(n)                                                                                                       \
  {                                                                                                                    \
    n, sizeof (n) - 1, SK_STRING, 0, NULL                                                                              \
  }
#define F_BOOL(n)                                                                                                      \
  {                                                                                                                    \
    n, sizeof (n) - 1, SK_BOOL, 0, NULL                                                                                \
  }
#define F_I64(n)                                                                                                       \
  {                                                                                                                    \
    n, sizeof (n) - 1, SK_INT64, 0, NULL                                                                               \
  }
#define F_I32(n)                                                                                                       \
  {                                                                                                                    \
    n, sizeof (n) - 1, SK_INT32, 0, NULL                                                                               \
  }
#define F_U16(n)                                                                                                       \
  {                                                                                                                    \
    n, sizeof (n) - 1, SK_UINT16, 0, NULL                                                                              \
  }
#define F_U32(n)                                                                                                       \
  {                                                                                                                    \
    n, sizeof (n) - 1, SK_UINT32, 0, NULL                                                                              \
  }
#define F_U64(n)                                                                                                       \
  {                                                                                                                    \
    n, sizeof (n) - 1, SK_UINT64, 0, NULL                                                                              \
  }
#define F_ANY(n)                                                                                                       \
  {                                                                                                                    \
    n, sizeof (n) - 1, SK_ANY, 0, NULL                                                                                 \
  }
#define F_OBJ(n, s)                                                                                                    \
  {                                                                                                                    \
    n, sizeof (n) - 1, SK_STRUCT, 0, &s                                                                                \
  }
#define F_STRS(n)                                                                                                      \
  {                                                                                                                    \
    n, sizeof (n) - 1, SK_ARRAY, SK_STRING, NULL                                                                       \
  }
#define F_U32S(n)                                                                                                      \
  {                                                                                                                    \
    n, sizeof (n) - 1, SK_ARRAY, SK_UINT32, NULL                                                                       \
  }
#define F_OBJS(n, s)                                                                                                   \
  {                                                                                                                    \
    n, sizeof (n) - 1, SK_ARRAY, SK_STRUCT, &s                                                                         \
  }
#define F_MAP(n)                                                                                                       \
  {                                                                                                                    \
    n, sizeof (n) - 1, SK_MAP_STRING, 0, NULL                                                                          \
  }
#define F_MAP_OBJ(n, s)                                                                                                \
  {                                                                                                                    \
    n, sizeof (n) - 1, SK_MAP_STRUCT, 0, &s                                                                            \
  }

/* ---- process ---- */

static const struct schema_field box_fields[] = { F_U64 ("height"), F_U64 ("width") };
static STRUCT (schema_box, "Box", box_fields);

static const struct schema_field user_fields[] = {
  F_U32 ("uid"), F_U32 ("gid"), F_U32 ("umask"), F_U32S ("additionalGids"), F_STR ("username"),
};
static STRUCT (schema_user, "User", user_fields);

static const struct schema_field capabilities_fields[] = {
  F_STRS ("bounding"), F_STRS ("effective"), F_STRS ("inheritable"), F_STRS ("permitted"), F_STRS ("ambient"),
};
static STRUCT (schema_capabilities, "LinuxCapabilities", capabilities_fields);

static const struct schema_field rlimit_fields[] = { F_STR ("type"), F_U64 ("hard"), F_U64 ("soft") };
static STRUCT (schema_rlimit, "POSIXRlimit", rlimit_fields);

/* v1.2 */
static const struct schema_field scheduler_fields[] = {
  F_STR ("policy"),  F_I32 ("nice"),     F_I32 ("priority"), F_STRS ("flags"),
  F_U64 ("runtime"), F_U64 ("deadline"), F_U64 ("period"),
};
static STRUCT (schema_scheduler, "Scheduler", scheduler_fields);

/* v1.2 */
static const struct schema_field io_priority_fields[] = { F_STR ("class"), F_I64 ("priority") };
static STRUCT (schema_io_priority, "LinuxIOPriority", io_priority_fields);

/* v1.3 */
static const struct schema_field cpu_affinity_fields[] = { F_STR ("initial"), F_STR ("final") };
static STRUCT (schema_cpu_affinity, "CPUAffinity", cpu_affinity_fields);

static const struct schema_field process_fields[] = {
  F_BOOL ("terminal"),
  F_OBJ ("consoleSize", schema_box),
  F_OBJ ("user", schema_user),
  F_STRS ("args"),
  F_STR ("commandLine"),
  F_STRS ("env"),
  F_STR ("cwd"),
  F_OBJ ("capabilities", schema_capabilities),
  F_OBJS ("rlimits", schema_rlimit),
  F_BOOL ("noNewPrivileges"),
  F_STR ("apparmorProfile"),
  F_I64 ("oomScoreAdj"),
  F_OBJ ("scheduler", schema_scheduler),
  F_STR ("selinuxLabel"),
  F_OBJ ("ioPriority", schema_io_priority),
  F_OBJ ("execCPUAffinity", schema_cpu_affinity),
};
STRUCT (schema_process, "Process", process_fields);

/* ---- root, mounts, hooks ---- */

static const struct schema_field root_fields[] = { F_STR ("path"), F_BOOL ("readonly") };
static STRUCT (schema_root, "Root", root_fields);

static const struct schema_field id_mapping_fields[] = { F_U32 ("containerID"), F_U32 ("hostID"), F_U32 ("size") };
static STRUCT (schema_id_mapping, "LinuxIDMapping", id_mapping_fields);

static const struct schema_field mount_fields[] = {
  F_STR ("destination"),
  F_STR ("type"),
  F_STR ("source"),
  F_STRS ("options"),
  F_OBJS ("uidMappings", schema_id_mapping),
  F_OBJS ("gidMappings", schema_id_mapping),
};
static STRUCT (schema_mount, "Mount", mount_fields);

static const struct schema_field hook_fields[] = { F_STR ("path"), F_STRS ("args"), F_STRS ("env"), F_I64 ("timeout") };
static STRUCT (schema_hook, "Hook", hook_fields);

static const struct schema_field hooks_fields[] = {
  F_OBJS ("prestart", schema_hook),        F_OBJS ("createRuntime", schema_hook),
  F_OBJS ("createContainer", schema_hook), F_OBJS ("startContainer", schema_hook),
  F_OBJS ("poststart", schema_hook),       F_OBJS ("poststop", schema_hook),
};
static STRUCT (schema_hooks, "Hooks", hooks_fields);

/* ---- linux.resources ---- */

static const struct schema_field device_cgroup_fields[] = {
  F_BOOL ("allow"), F_STR ("type"), F_I64 ("major"), F_I64 ("minor"), F_STR ("access"),
};
static STRUCT (schema_device_cgroup, "LinuxDeviceCgroup", device_cgroup_fields);

static const struct schema_field memory_fields[] = {
  F_I64 ("limit"),
  F_I64 ("reservation"),
  F_I64 ("swap"),
  F_I64 ("kernel"),
  F_I64 ("kernelTCP"),
  F_U64 ("swappiness"),
  F_BOOL ("disableOOMKiller"),
  F_BOOL ("useHierarchy"),
  F_BOOL ("checkBeforeUpdate"),
};
static STRUCT (schema_memory, "LinuxMemory", memory_fields);

static const struct schema_field cpu_fields[] = {
  F_U64 ("shares"),         F_I64 ("quota"), F_U64 ("burst"), F_U64 ("period"), F_I64 ("realtimeRuntime"),
  F_U64 ("realtimePeriod"), F_STR ("cpus"),  F_STR ("mems"),  F_I64 ("idle"),
};
static STRUCT (schema_cpu, "LinuxCPU", cpu_fields);

/* int64 in v1.0-v1.2, *int64 in v1.3: the same JSON */
static const struct schema_field pids_fields[] = { F_I64 ("limit") };
static STRUCT (schema_pids, "LinuxPids", pids_fields);

/* LinuxBlockIODevice is embedded: its major/minor are promoted */
static const struct schema_field weight_device_fields[] = {
  F_I64 ("major"),
  F_I64 ("minor"),
  F_U16 ("weight"),
  F_U16 ("leafWeight"),
};
static STRUCT (schema_weight_device, "LinuxWeightDevice", weight_device_fields);

static const struct schema_field throttle_device_fields[] = { F_I64 ("major"), F_I64 ("minor"), F_U64 ("rate") };
static STRUCT (schema_throttle_device, "LinuxThrottleDevice", throttle_device_fields);

static const struct schema_field block_io_fields[] = {
  F_U16 ("weight"),
  F_U16 ("leafWeight"),
  F_OBJS ("weightDevice", schema_weight_device),
  F_OBJS ("throttleReadBpsDevice", schema_throttle_device),
  F_OBJS ("throttleWriteBpsDevice", schema_throttle_device),
  F_OBJS ("throttleReadIOPSDevice", schema_throttle_device),
  F_OBJS ("throttleWriteIOPSDevice", schema_throttle_device),
};
static STRUCT (schema_block_io, "LinuxBlockIO", block_io_fields);

static const struct schema_field hugepage_limit_fields[] = { F_STR ("pageSize"), F_U64 ("limit") };
static STRUCT (schema_hugepage_limit, "LinuxHugepageLimit", hugepage_limit_fields);

static const struct schema_field interface_priority_fields[] = { F_STR ("name"), F_U32 ("priority") };
static STRUCT (schema_interface_priority, "LinuxInterfacePriority", interface_priority_fields);

static const struct schema_field network_fields[] = {
  F_U32 ("classID"),
  F_OBJS ("priorities", schema_interface_priority),
};
static STRUCT (schema_network, "LinuxNetwork", network_fields);

static const struct schema_field rdma_fields[] = { F_U32 ("hcaHandles"), F_U32 ("hcaObjects") };
static STRUCT (schema_rdma, "LinuxRdma", rdma_fields);

static const struct schema_field resources_fields[] = {
  F_OBJS ("devices", schema_device_cgroup),
  F_OBJ ("memory", schema_memory),
  F_OBJ ("cpu", schema_cpu),
  F_OBJ ("pids", schema_pids),
  F_OBJ ("blockIO", schema_block_io),
  F_OBJS ("hugepageLimits", schema_hugepage_limit),
  F_OBJ ("network", schema_network),
  F_MAP_OBJ ("rdma", schema_rdma),
  F_MAP ("unified"),
};
STRUCT (schema_linux_resources, "LinuxResources", resources_fields);

/* ---- linux ---- */

static const struct schema_field namespace_fields[] = { F_STR ("type"), F_STR ("path") };
static STRUCT (schema_namespace, "LinuxNamespace", namespace_fields);

/* also ZOSDevice */
static const struct schema_field device_fields[] = {
  F_STR ("path"), F_STR ("type"), F_I64 ("major"), F_I64 ("minor"), F_U32 ("fileMode"), F_U32 ("uid"), F_U32 ("gid"),
};
static STRUCT (schema_device, "LinuxDevice", device_fields);

static const struct schema_field seccomp_arg_fields[] = {
  F_U64 ("index"),
  F_U64 ("value"),
  F_U64 ("valueTwo"),
  F_STR ("op"),
};
static STRUCT (schema_seccomp_arg, "LinuxSeccompArg", seccomp_arg_fields);

static const struct schema_field syscall_fields[] = {
  F_STRS ("names"),
  F_STR ("action"),
  F_U64 ("errnoRet"),
  F_OBJS ("args", schema_seccomp_arg),
};
static STRUCT (schema_syscall, "LinuxSyscall", syscall_fields);

static const struct schema_field seccomp_fields[] = {
  F_STR ("defaultAction"),
  F_U64 ("defaultErrnoRet"),
  F_STRS ("architectures"),
  F_STRS ("flags"),
  F_STR ("listenerPath"),
  F_STR ("listenerMetadata"),
  F_OBJS ("syscalls", schema_syscall),
};
static STRUCT (schema_seccomp, "LinuxSeccomp", seccomp_fields);

static const struct schema_field intel_rdt_fields[] = {
  F_STR ("closID"),
  /* string in v1.2, []string in v1.3 */
  F_ANY ("schemata"), F_STR ("l3CacheSchema"), F_STR ("memBwSchema"), F_BOOL ("enableCMT"), F_BOOL ("enableMBM"),
  F_BOOL ("enableMonitoring"), /* v1.3 */
};
static STRUCT (schema_intel_rdt, "LinuxIntelRdt", intel_rdt_fields);

static const struct schema_field personality_fields[] = { F_STR ("domain"), F_STRS ("flags") };
static STRUCT (schema_personality, "LinuxPersonality", personality_fields);

/* v1.2 */
static const struct schema_field time_offset_fields[] = { F_I64 ("secs"), F_U32 ("nanosecs") };
static STRUCT (schema_time_offset, "LinuxTimeOffset", time_offset_fields);

/* v1.3 */
static const struct schema_field net_device_fields[] = { F_STR ("name") };
static STRUCT (schema_net_device, "LinuxNetDevice", net_device_fields);

/* v1.3 */
static const struct schema_field memory_policy_fields[] = { F_STR ("mode"), F_STR ("nodes"), F_STRS ("flags") };
static STRUCT (schema_memory_policy, "LinuxMemoryPolicy", memory_policy_fields);

static const struct schema_field linux_fields[] = {
  F_OBJS ("uidMappings", schema_id_mapping),
  F_OBJS ("gidMappings", schema_id_mapping),
  F_MAP ("sysctl"),
  F_OBJ ("resources", schema_linux_resources),
  F_STR ("cgroupsPath"),
  F_OBJS ("namespaces", schema_namespace),
  F_OBJS ("devices", schema_device),
  F_OBJ ("seccomp", schema_seccomp),
  F_STR ("rootfsPropagation"),
  F_STRS ("maskedPaths"),
  F_STRS ("readonlyPaths"),
  F_STR ("mountLabel"),
  F_OBJ ("intelRdt", schema_intel_rdt),
  F_OBJ ("personality", schema_personality),
  F_MAP_OBJ ("timeOffsets", schema_time_offset),
  F_MAP_OBJ ("netDevices", schema_net_device),
  F_OBJ ("memoryPolicy", schema_memory_policy),
};
static STRUCT (schema_linux, "Linux", linux_fields);

/* ---- other platforms: runc decodes them too, so their types matter ---- */

static const struct schema_field solaris_capped_cpu_fields[] = { F_STR ("ncpus") };
static STRUCT (schema_solaris_capped_cpu, "SolarisCappedCPU", solaris_capped_cpu_fields);

static const struct schema_field solaris_capped_memory_fields[] = { F_STR ("physical"), F_STR ("swap") };
static STRUCT (schema_solaris_capped_memory, "SolarisCappedMemory", solaris_capped_memory_fields);

static const struct schema_field solaris_anet_fields[] = {
  F_STR ("linkname"),  F_STR ("lowerLink"),      F_STR ("allowedAddress"), F_STR ("configureAllowedAddress"),
  F_STR ("defrouter"), F_STR ("linkProtection"), F_STR ("macAddress"),
};
static STRUCT (schema_solaris_anet, "SolarisAnet", solaris_anet_fields);

static const struct schema_field solaris_fields[] = {
  F_STR ("milestone"),
  F_STR ("limitpriv"),
  F_STR ("maxShmMemory"),
  F_OBJS ("anet", schema_solaris_anet),
  F_OBJ ("cappedCPU", schema_solaris_capped_cpu),
  F_OBJ ("cappedMemory", schema_solaris_capped_memory),
};
static STRUCT (schema_solaris, "Solaris", solaris_fields);

static const struct schema_field windows_device_fields[] = { F_STR ("id"), F_STR ("idType") };
static STRUCT (schema_windows_device, "WindowsDevice", windows_device_fields);

static const struct schema_field windows_memory_fields[] = { F_U64 ("limit") };
static STRUCT (schema_windows_memory, "WindowsMemoryResources", windows_memory_fields);

static const struct schema_field windows_cpu_fields[] = { F_U64 ("count"), F_U16 ("shares"), F_U16 ("maximum") };
static STRUCT (schema_windows_cpu, "WindowsCPUResources", windows_cpu_fields);

static const struct schema_field windows_storage_fields[] = { F_U64 ("iops"), F_U64 ("bps"), F_U64 ("sandboxSize") };
static STRUCT (schema_windows_storage, "WindowsStorageResources", windows_storage_fields);

static const struct schema_field windows_resources_fields[] = {
  F_OBJ ("memory", schema_windows_memory),
  F_OBJ ("cpu", schema_windows_cpu),
  F_OBJ ("storage", schema_windows_storage),
};
static STRUCT (schema_windows_resources, "WindowsResources", windows_resources_fields);

static const struct schema_field windows_network_fields[] = {
  F_STRS ("endpointList"),    F_BOOL ("allowUnqualifiedDNSQuery"),
  F_STRS ("DNSSearchList"),   F_STR ("networkSharedContainerName"),
  F_STR ("networkNamespace"),
};
static STRUCT (schema_windows_network, "WindowsNetwork", windows_network_fields);

static const struct schema_field windows_hyperv_fields[] = { F_STR ("utilityVMPath") };
static STRUCT (schema_windows_hyperv, "WindowsHyperV", windows_hyperv_fields);

static const struct schema_field windows_fields[] = {
  F_STRS ("layerFolders"),
  F_OBJS ("devices", schema_windows_device),
  F_OBJ ("resources", schema_windows_resources),
  F_ANY ("credentialSpec"), /* interface{} */
  F_BOOL ("servicing"),
  F_BOOL ("ignoreFlushesDuringBoot"),
  F_OBJ ("hyperv", schema_windows_hyperv),
  F_OBJ ("network", schema_windows_network),
};
static STRUCT (schema_windows, "Windows", windows_fields);

static const struct schema_field vm_hypervisor_fields[] = { F_STR ("path"), F_STRS ("parameters") };
static STRUCT (schema_vm_hypervisor, "VMHypervisor", vm_hypervisor_fields);

static const struct schema_field vm_kernel_fields[] = { F_STR ("path"), F_STRS ("parameters"), F_STR ("initrd") };
static STRUCT (schema_vm_kernel, "VMKernel", vm_kernel_fields);

static const struct schema_field vm_image_fields[] = { F_STR ("path"), F_STR ("format") };
static STRUCT (schema_vm_image, "VMImage", vm_image_fields);

static const struct schema_field vm_fields[] = {
  F_OBJ ("hypervisor", schema_vm_hypervisor),
  F_OBJ ("kernel", schema_vm_kernel),
  F_OBJ ("image", schema_vm_image),
};
static STRUCT (schema_vm, "VM", vm_fields);

static const struct schema_field zos_fields[] = { F_OBJS ("devices", schema_device) };
static STRUCT (schema_zos, "ZOS", zos_fields);

/* ---- the document ---- */

static const struct schema_field spec_fields[] = {
  F_STR ("ociVersion"),
  F_OBJ ("process", schema_process),
  F_OBJ ("root", schema_root),
  F_STR ("hostname"),
  F_STR ("domainname"),
  F_OBJS ("mounts", schema_mount),
  F_OBJ ("hooks", schema_hooks),
  F_MAP ("annotations"),
  F_OBJ ("linux", schema_linux),
  F_OBJ ("solaris", schema_solaris),
  F_OBJ ("windows", schema_windows),
  F_OBJ ("vm", schema_vm),
  F_OBJ ("zos", schema_zos),
};
STRUCT (schema_spec, "Spec", spec_fields);
