/* Fuzz target: the policy loader (policy_load_buffer).
 *
 * The policy file is trusted, but a typo in it must give a clear error and
 * never a crash, a leak or a half-loaded policy: every input is either a
 * policy (which then evaluates a fixture-like document without crashing) or
 * a refusal with a message naming the file. */
#include <string.h>

#include "fuzz.h"
#include "secshim/cleanup.h"
#include "secshim/host.h"
#include "secshim/hosts.h"
#include "secshim/json.h"
#include "secshim/policy.h"

#define POLICY_PATH FUZZ_POLICY_DIR "/fuzz.json"

/* A small docker-like config: enough for every rule family to look at. */
static const char sample_config[]
    = "{\"ociVersion\":\"1.0.2-dev\",\"process\":{\"user\":{\"uid\":0,\"gid\":0},\"args\":[\"sh\"],"
      "\"env\":[\"PATH=/bin\"],\"cwd\":\"/\",\"capabilities\":{\"bounding\":[\"CAP_CHOWN\",\"CAP_SYS_ADMIN\"],"
      "\"effective\":[\"CAP_CHOWN\"],\"permitted\":[\"CAP_CHOWN\"]}},\"root\":{\"path\":\"rootfs\"},"
      "\"mounts\":[{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"},"
      "{\"destination\":\"/run/systemd\",\"type\":\"bind\",\"source\":\"/run/systemd\",\"options\":[\"rbind\"]}],"
      "\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"mount\"},{\"type\":\"network\"}],"
      "\"maskedPaths\":[\"/proc/kcore\"]}}";

/* The fake host cannot load AppArmor profiles (apparmor_ensure NULL makes
 * the apparmor rule fail closed); pretend every load succeeds, as on a host
 * where apparmor_parser works, so that evaluation goes on past that rule. */
static int
fake_apparmor_ensure (const struct host *h, const char *name, const char *text, size_t len, secshim_error_t *err)
{
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  secshim_error_t err = NULL;
  cleanup_with (policy_free) struct policy *p = NULL;
  cleanup_with (json_free) struct json_value *doc = NULL;
  struct findings findings = { 0 };
  struct host host;
  struct identity id = { .verb = "check" };
  bool refused = false;

  if (policy_load_buffer ((const char *) data, size, POLICY_PATH, &p, &err) < 0)
    {
      FUZZ_ASSERT (err != NULL && err->msg != NULL && err->msg[0] != '\0', "policy refused without a message");
      FUZZ_ASSERT (p == NULL, "policy_load_buffer failed but returned a policy");
      secshim_error_release (&err);
      return 0;
    }
  FUZZ_ASSERT (p != NULL, "policy_load_buffer succeeded without a policy");
  FUZZ_ASSERT (p->version == 1, "accepted policy version %d", p->version);
  FUZZ_ASSERT (p->runtime == NULL || p->runtime[0] == '/', "relative runtime %s accepted", p->runtime);
  FUZZ_ASSERT (p->audit_log == NULL || p->audit_log[0] == '/', "relative audit log %s accepted", p->audit_log);

  host_fake_init (&host, true, true);
  host.apparmor_ensure = fake_apparmor_ensure;
  FUZZ_ASSERT (json_parse (sample_config, strlen (sample_config), NULL, &doc, &err) == 0, "sample: %s", fuzz_msg (err));
  if (policy_evaluate (p, doc, DOC_CONFIG, &host, &id, &findings, &refused, &err) < 0)
    secshim_error_release (&err);
  findings_free (&findings);
  return 0;
}
