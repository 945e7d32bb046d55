/* recvtty --mode null [--pid-file FILE] SOCKET: what runc's
 * contrib/cmd/recvtty (v1.1.5, handleNull) does for its integration tests,
 * without building Go: accept every connection on the unix socket, take
 * the pty master fd runc sends (SCM_RIGHTS) and drain it to nowhere.  Only
 * the null mode: the vendored tests use no other.  tests/e2e/runc-bats.sh
 * compiles it into its copy of the suite.
 *
 * The pid file is written after the socket listens, so a test never finds
 * the pid of a recvtty that cannot be connected to yet; the process lets
 * go of the fds it inherited (bats waits for EOF on its output pipe) and
 * exits once its socket is removed, should a teardown miss it. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static void
drain (int conn)
{
  char buf[4096], cbuf[CMSG_SPACE (sizeof (int))];
  struct iovec iov = { buf, sizeof buf };
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof cbuf };
  struct cmsghdr *c;
  int fd;

  if (recvmsg (conn, &msg, MSG_CMSG_CLOEXEC) < 0 || (c = CMSG_FIRSTHDR (&msg)) == NULL || c->cmsg_type != SCM_RIGHTS)
    _exit (0);
  memcpy (&fd, CMSG_DATA (c), sizeof fd);
  close (conn);
  while (read (fd, buf, sizeof buf) > 0)
    ;
  _exit (0);
}

int
main (int argc, char **argv)
{
  const char *mode = "single", *pid_file = NULL, *path = NULL;
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  int i, ln, null;

  for (i = 1; i < argc; i++)
    {
      if ((!strcmp (argv[i], "--mode") || !strcmp (argv[i], "-m")) && i + 1 < argc)
        mode = argv[++i];
      else if (!strncmp (argv[i], "--mode=", 7))
        mode = argv[i] + 7;
      else if (!strcmp (argv[i], "--pid-file") && i + 1 < argc)
        pid_file = argv[++i];
      else if (!strcmp (argv[i], "--no-stdin"))
        ;
      else
        path = argv[i];
    }
  if (strcmp (mode, "null") != 0 || path == NULL || strlen (path) >= sizeof addr.sun_path)
    {
      fprintf (stderr, "recvtty (secshim's stand-in): only --mode null SOCKET\n");
      return 1;
    }
  null = open ("/dev/null", O_RDWR);
  for (i = 0; i < 3; i++)
    dup2 (null, i);
  closefrom (3);
  signal (SIGCHLD, SIG_IGN);
  strcpy (addr.sun_path, path);
  ln = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (ln < 0 || bind (ln, (struct sockaddr *) &addr, sizeof addr) < 0 || listen (ln, 16) < 0)
    return 1;
  if (pid_file)
    {
      FILE *f = fopen (pid_file, "we");
      if (f == NULL)
        return 1;
      fprintf (f, "%d", (int) getpid ());
      fclose (f);
    }
  for (;;)
    {
      struct pollfd p = { ln, POLLIN, 0 };
      struct stat st;
      int conn;
      if (stat (path, &st) < 0)
        return 0;
      if (poll (&p, 1, 1000) <= 0)
        continue;
      conn = accept4 (ln, NULL, NULL, SOCK_CLOEXEC);
      if (conn < 0)
        continue;
      if (fork () == 0)
        drain (conn);
      close (conn);
    }
}
