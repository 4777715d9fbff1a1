/*
 * Echo throughput of build/examples/ws_echo under bench/ws_load.c:
 * 100 connections with 1 and with 16 messages in flight each, 32-byte
 * masked binary messages, a few seconds per case.  Starts ws_echo itself on
 * a free loopback port (nothing is pinned: the server and the load client
 * share the machine's cores as the scheduler decides).
 *
 *   make bench   (runs it as: bench_ws_echo build/bench/results.json)
 *   WSX_BENCH_SECONDS=10 to measure longer; WSX_WS_ECHO=path for another
 *   echo server taking --host/--port and printing "listening".
 *
 * Besides msg/s it records the server's CPU time per echoed message
 * (user + system, from /proc), which depends much less than msg/s on what
 * else the machine is running.
 *
 * Reference on a 2-core machine of this class: a libwebsockets echo server
 * ~169 k msg/s (1 in flight) and ~176 k msg/s (16 in flight); node ws ~86 k
 * and ~115 k.  To measure another server with this same client, give
 * WSX_WS_ECHO a program (or a wrapper script that execs it) taking
 * --host/--port and printing "listening".
 */
#define WS_LOAD_NO_MAIN
#include "ws_load.c"

#include "bench_util.h"

#include <signal.h>
#include <sys/wait.h>

static int free_port(void)
{
    struct sockaddr_in sa;
    socklen_t len = sizeof sa;
    int fd = socket(AF_INET, SOCK_STREAM, 0), port = -1;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0 &&
        getsockname(fd, (struct sockaddr *)&sa, &len) == 0)
        port = ntohs(sa.sin_port);
    if (fd >= 0)
        close(fd);
    return port;
}

/* The build directory: the parent of the results file's directory
 * (build/bench/results.json -> build), else "build". */
static void build_dir(const char *results, char *out, size_t cap)
{
    const char *end = results ? strrchr(results, '/') : NULL;
    snprintf(out, cap, "build");
    if (end) {
        const char *p = end;
        while (p > results && p[-1] != '/')
            p--;
        if (p - 1 > results)
            snprintf(out, cap, "%.*s", (int)(p - 1 - results), results);
    }
}

/* CPU seconds (user + system) the process has used, from /proc; -1 if
 * unknown.  Unlike msg/s, CPU per message hardly depends on what else
 * runs on the machine. */
static double cpu_seconds(pid_t pid)
{
    char path[64], buf[1024], *p;
    unsigned long utime, stime;
    size_t n;
    FILE *f;
    snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
    f = fopen(path, "r");
    if (!f)
        return -1;
    n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    p = strrchr(buf, ')'); /* fields after the command name */
    if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
                     &utime, &stime) != 2)
        return -1;
    return (double)(utime + stime) / (double)sysconf(_SC_CLK_TCK);
}

/* Starts the server; waits until it prints "listening".  Returns its pid. */
static pid_t start_server(const char *prog, int port)
{
    int pipefd[2];
    char portstr[16], line[512];
    pid_t pid;
    FILE *f;
    if (pipe(pipefd) != 0)
        return -1;
    snprintf(portstr, sizeof portstr, "%d", port);
    pid = fork();
    if (pid == 0) {
        dup2(pipefd[1], STDOUT_FILENO);
        close(pipefd[0]);
        close(pipefd[1]);
        execl(prog, prog, "--host", "127.0.0.1", "--port", portstr, "--quiet", (char *)NULL);
        _exit(127);
    }
    close(pipefd[1]);
    if (pid < 0) {
        close(pipefd[0]);
        return -1;
    }
    f = fdopen(pipefd[0], "r");
    while (f && fgets(line, sizeof line, f)) {
        if (strstr(line, "listening")) {
            fclose(f); /* the server ignores SIGPIPE: later prints are harmless */
            return pid;
        }
    }
    if (f)
        fclose(f);
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
    return -1;
}

int main(int argc, char **argv)
{
    static const struct { int conns, inflight; const char *name; } cases[] = {
        { 100, 1, "ws echo 100 conns x 1 in flight, 32 B" },
        { 100, 16, "ws echo 100 conns x 16 in flight, 32 B" },
    };
    const char *results = argc > 1 ? argv[1] : NULL;
    const char *env_secs = getenv("WSX_BENCH_SECONDS");
    const char *env_prog = getenv("WSX_WS_ECHO");
    const char *impl = env_prog ? env_prog : "wsx ws_echo";
    double seconds = env_secs ? atof(env_secs) : 3.0;
    char dir[256], prog[512];
    int port, status = 0;
    size_t i;
    pid_t pid;

    build_dir(results, dir, sizeof dir);
    snprintf(prog, sizeof prog, "%s/examples/ws_echo", dir);
    if (env_prog)
        snprintf(prog, sizeof prog, "%s", env_prog);
    if (access(prog, X_OK) != 0) {
        /* `make bench` does not build the examples: say so, do not fail
         * the other benchmarks. */
        printf("SKIP bench_ws_echo: %s is not built (run make examples first)\n", prog);
        return 0;
    }
    port = free_port();
    pid = start_server(prog, port);
    if (port < 0 || pid < 0) {
        fprintf(stderr, "bench_ws_echo: could not start %s\n", prog);
        return 1;
    }
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ws_load_result r;
        double cpu0 = cpu_seconds(pid), cpu1, us_per_msg = -1;
        char name[128];
        if (ws_load_run("127.0.0.1", port, cases[i].conns, cases[i].inflight, seconds, 32,
                        &r) != 0 || r.errors) {
            fprintf(stderr, "bench_ws_echo: %s: load failed (%d errors)\n", cases[i].name,
                    r.errors);
            status = 1;
            break;
        }
        cpu1 = cpu_seconds(pid);
        /* The CPU of the warm-up counts too: divide by every message the
         * server echoed in the interval, not only the measured ones. */
        if (cpu0 >= 0 && cpu1 >= 0 && r.total_messages > 0)
            us_per_msg = (cpu1 - cpu0) * 1e6 / (double)r.total_messages;
        printf("%-44s %10.0f msg/s  %6.2f us server CPU/msg\n", cases[i].name,
               r.msgs_per_sec, us_per_msg);
        bench_record(results, cases[i].name, impl, r.msgs_per_sec, "msg/s");
        snprintf(name, sizeof name, "%s: server CPU per message", cases[i].name);
        if (us_per_msg > 0)
            bench_record(results, name, impl, us_per_msg, "us/msg");
    }
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
    return status;
}
