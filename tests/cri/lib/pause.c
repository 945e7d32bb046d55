/* A pod's infrastructure ("pause") process, for the locally built pause
   image of the CRI tests: it holds the pod's namespaces, reaps the zombies
   of a shared PID namespace and exits on SIGINT/SIGTERM, like the
   Kubernetes pause image's /pause.  Built static: the image holds nothing
   else.  */
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static void
on_stop (int sig)
{
  (void) sig;
  _exit (0);
}

static void
on_child (int sig)
{
  (void) sig;
  while (waitpid (-1, NULL, WNOHANG) > 0)
    ;
}

int
main (void)
{
  struct sigaction stop = { .sa_handler = on_stop };
  struct sigaction child = { .sa_handler = on_child, .sa_flags = SA_NOCLDSTOP };
  /* Like the real pause: only a warning when not a PID namespace's init
     (hostPID pods, and pods sharing the process namespace). */
  if (getpid () != 1)
    {
      static const char warn[] = "Warning: pause should be the first process\n";
      if (write (2, warn, sizeof warn - 1) < 0)
        return 3;
    }
  if (sigaction (SIGINT, &stop, NULL) || sigaction (SIGTERM, &stop, NULL) || sigaction (SIGCHLD, &child, NULL))
    return 2;
  for (;;)
    pause ();
}
