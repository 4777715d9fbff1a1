/*
 * Echo servers side by side under one load client (bench/ws_load.c, which
 * does not use wsx): build/examples/ws_echo (wsx on epoll),
 * build/examples/ws_echo_uring (wsx on io_uring), build/bench/uws_echo
 * (uWebSockets' EchoServer, bench/uws_echo.cpp, only with make bench
 * UWS_DIR=...), build/bench/lws_echo (libwebsockets, bench/lws_echo.c) and
 * bench/ws_echo_node.mjs (node ws), in the same run.  100 connections with
 * 1 and with 16 messages in flight each, 32-byte and 4 KiB masked binary
 * messages, and 1,000 connections with 4 KiB, a few seconds per case.
 *
 *   make bench   (runs it as: bench_ws_echo build/bench/results.json)
 *
 * All servers are started at once on free loopback ports (an idle server
 * costs nothing) and measured in turn, interleaved: for each round, for
 * each case, every server once; then the next round, with the order
 * rotated by one so that no server always runs first after the others'
 * connections were torn down.  With two or more CPUs the servers are
 * pinned to the last CPU and the load client to the first, so that a
 * server never competes with its load for a core (WSX_BENCH_PIN=0: no
 * pinning).  A peer that is not there (uws_echo or lws_echo not built,
 * node or the ws module missing) gets a loud SKIP line; the others are
 * still measured.
 *
 * Besides msg/s it records the server's CPU time per echoed message
 * (user + system of the whole server process, from /proc), which depends
 * much less than msg/s on what else the machine is running.  Every round's
 * figures go to results.json as "<case>, round N"; the summary under the
 * plain case name is the best msg/s and the lowest CPU per message of the
 * rounds.
 *
 * Environment:
 *   WSX_BENCH_SECONDS=3   measured seconds per case and server (+ warm-up)
 *   WSX_BENCH_ROUNDS=3    rounds
 *   WSX_BENCH_SERVERS=wsx,uring,uws,lws,node   which servers (subset)
 *   WSX_BENCH_PIN=0       no CPU pinning
 *   WSX_WS_ECHO=path      another program in place of ws_echo for "wsx"
 *                         (takes --host/--port, prints "listening")
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* sched_setaffinity */
#endif
#define WS_LOAD_NO_MAIN
#include "ws_load.c"

#include "bench_util.h"

#include <sched.h>
#include <signal.h>
#include <sys/wait.h>

/* The CPUs this process may run on, lowest first; their count. */
static int allowed_cpus(int *cpus, int cap)
{
    cpu_set_t set;
    int i, n = 0;
    if (sched_getaffinity(0, sizeof set, &set) != 0)
        return 0;
    for (i = 0; i < CPU_SETSIZE && n < cap; i++)
        if (CPU_ISSET(i, &set))
            cpus[n++] = i;
    return n;
}

static void pin_to(int cpu)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    sched_setaffinity(0, sizeof set, &set);
}

/* The CPU for the servers (-1: none pinned); the caller (the load client)
 * is pinned to another one. */
static int server_cpu = -1;

static void plan_pinning(void)
{
    const char *env = getenv("WSX_BENCH_PIN");
    int cpus[64], n = allowed_cpus(cpus, 64);
    if ((env && strcmp(env, "0") == 0) || n < 2) {
        printf("CPU pinning: off (%s)\n", n < 2 ? "fewer than 2 CPUs" : "WSX_BENCH_PIN=0");
        return;
    }
    server_cpu = cpus[n - 1];
    pin_to(cpus[0]);
    printf("CPU pinning: servers on CPU %d, load client on CPU %d\n", server_cpu, cpus[0]);
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
    if (!p ||
        sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime, &stime) != 2)
        return -1;
    return (double)(utime + stime) / (double)sysconf(_SC_CLK_TCK);
}

typedef struct server {
    const char *key;     /* for WSX_BENCH_SERVERS */
    const char *impl;    /* "impl" in results.json */
    const char *argv[4]; /* program and fixed arguments */
    const char *hint;    /* how to build it, for the SKIP line */
    pid_t pid;
    int port;
    int fatal; /* a failure fails the benchmark (wsx) */
} server;

typedef struct bench_case {
    int conns, inflight;
    size_t size;
    const char *name;
} bench_case;

typedef struct figures {
    double msgs_per_sec; /* < 0: not measured */
    double us_per_msg;   /* < 0: unknown */
} figures;

/* Starts s (argv + --host/--port/--quiet) and waits until it prints
 * "listening"; the line goes to stdout.  0, or -1 with why[] saying why. */
static int start_server(server *s, char *why, size_t why_cap)
{
    const char *argv[10];
    int pipefd[2], n = 0, i;
    char portstr[16], line[512];
    FILE *f;
    snprintf(why, why_cap, "exited without printing \"listening\"");
    s->port = bench_free_port();
    if (s->port < 0 || pipe(pipefd) != 0) {
        snprintf(why, why_cap, "no free port or pipe");
        return -1;
    }
    snprintf(portstr, sizeof portstr, "%d", s->port);
    for (i = 0; s->argv[i]; i++)
        argv[n++] = s->argv[i];
    argv[n++] = "--host";
    argv[n++] = "127.0.0.1";
    argv[n++] = "--port";
    argv[n++] = portstr;
    argv[n++] = "--quiet";
    argv[n] = NULL;
    s->pid = fork();
    if (s->pid == 0) {
        if (server_cpu >= 0)
            pin_to(server_cpu);
        dup2(pipefd[1], STDOUT_FILENO);
        close(pipefd[0]);
        close(pipefd[1]);
        execvp(argv[0], (char *const *)argv);
        printf("cannot run %s\n", argv[0]);
        _exit(127);
    }
    close(pipefd[1]);
    if (s->pid < 0) {
        close(pipefd[0]);
        return -1;
    }
    f = fdopen(pipefd[0], "r");
    while (f && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (strstr(line, "listening")) {
            printf("  %-12s %s\n", s->key, line);
            fclose(f); /* the servers ignore SIGPIPE: later prints are harmless */
            return 0;
        }
        snprintf(why, why_cap, "%s", line);
    }
    if (f)
        fclose(f);
    kill(s->pid, SIGTERM);
    waitpid(s->pid, NULL, 0);
    s->pid = -1;
    return -1;
}

static void stop_server(server *s)
{
    if (s->pid > 0) {
        kill(s->pid, SIGTERM);
        waitpid(s->pid, NULL, 0);
    }
    s->pid = -1;
}

/* One case against one server.  0, or -1 if the load failed. */
static int measure(const server *s, const bench_case *c, double seconds, figures *out)
{
    ws_load_result r;
    double cpu0 = cpu_seconds(s->pid), cpu1;
    out->msgs_per_sec = -1;
    out->us_per_msg = -1;
    if (ws_load_run("127.0.0.1", s->port, c->conns, c->inflight, seconds, c->size, &r) != 0 ||
        r.errors) {
        fprintf(stderr, "FAIL bench_ws_echo: %s against %s: load failed (%d errors)\n", c->name,
                s->impl, r.errors);
        return -1;
    }
    cpu1 = cpu_seconds(s->pid);
    out->msgs_per_sec = r.msgs_per_sec;
    /* The CPU of the warm-up counts too: divide by every message the
     * server echoed in the interval, not only the measured ones. */
    if (cpu0 >= 0 && cpu1 >= 0 && r.total_messages > 0)
        out->us_per_msg = (cpu1 - cpu0) * 1e6 / (double)r.total_messages;
    return 0;
}

static void record(const char *results, const char *case_name, const char *suffix, const char *impl,
                   const figures *f)
{
    char name[192];
    snprintf(name, sizeof name, "%s%s", case_name, suffix);
    if (f->msgs_per_sec >= 0)
        bench_record(results, name, impl, f->msgs_per_sec, "msg/s");
    snprintf(name, sizeof name, "%s: server CPU per message%s", case_name, suffix);
    if (f->us_per_msg > 0)
        bench_record(results, name, impl, f->us_per_msg, "us/msg");
}

#define MAX_ROUNDS 10
#define NSERVERS 5
#define NCASES 5

static void print_summary(const bench_case *cases, const server *servers,
                          figures best[NCASES][NSERVERS])
{
    size_t c, s;
    printf("\n%-28s", "best of the rounds");
    for (s = 0; s < NSERVERS; s++)
        printf(" | %-22s", servers[s].impl);
    printf("\n%-28s", "");
    for (s = 0; s < NSERVERS; s++)
        printf(" | %10s %11s", "msg/s", "CPU us/msg");
    printf("\n");
    for (c = 0; c < NCASES; c++) {
        char label[64];
        snprintf(label, sizeof label, "%d x %zu B x %d in flight", cases[c].conns, cases[c].size,
                 cases[c].inflight);
        printf("%-28s", label);
        for (s = 0; s < NSERVERS; s++) {
            if (best[c][s].msgs_per_sec < 0)
                printf(" | %10s %11s", "-", "-");
            else
                printf(" | %10.0f %11.2f", best[c][s].msgs_per_sec, best[c][s].us_per_msg);
        }
        printf("\n");
    }
}

/* The wsx servers' best msg/s over the peer's (uWS), case by case, printed
 * and recorded as "<case>: msg/s relative to <peer>". */
static void print_ratios(const char *results, const bench_case *cases, const server *servers,
                         figures best[NCASES][NSERVERS], size_t peer)
{
    size_t c, s;
    for (s = 0; s < peer; s++) {
        printf("%-28s", servers[s].impl);
        for (c = 0; c < NCASES; c++) {
            char name[192];
            double r;
            if (best[c][s].msgs_per_sec <= 0 || best[c][peer].msgs_per_sec <= 0) {
                printf("   -  ");
                continue;
            }
            r = best[c][s].msgs_per_sec / best[c][peer].msgs_per_sec;
            printf(" %5.2fx", r);
            snprintf(name, sizeof name, "%s: msg/s relative to %s", cases[c].name,
                     servers[peer].impl);
            bench_record(results, name, servers[s].impl, r, "x");
        }
        printf("   (msg/s over %s's, case by case)\n", servers[peer].impl);
    }
}

int main(int argc, char **argv)
{
    static const bench_case cases[NCASES] = {
        {100, 1, 32, "ws echo 100 conns x 1 in flight, 32 B"},
        {100, 16, 32, "ws echo 100 conns x 16 in flight, 32 B"},
        {100, 1, 4096, "ws echo 100 conns x 1 in flight, 4 KiB"},
        {100, 16, 4096, "ws echo 100 conns x 16 in flight, 4 KiB"},
        {1000, 1, 4096, "ws echo 1000 conns x 1 in flight, 4 KiB"},
    };
    const char *results = argc > 1 ? argv[1] : NULL;
    const char *env_secs = getenv("WSX_BENCH_SECONDS");
    const char *env_rounds = getenv("WSX_BENCH_ROUNDS");
    const char *env_prog = getenv("WSX_WS_ECHO");
    const char *only = getenv("WSX_BENCH_SERVERS");
    double seconds = env_secs ? atof(env_secs) : 3.0;
    int rounds = env_rounds ? atoi(env_rounds) : 3, round, status = 0, running = 0;
    char dir[256], wsx_prog[512], uring_prog[512], uws_prog[512], lws_prog[512], why[512];
    static figures best[NCASES][NSERVERS];
    server servers[NSERVERS];
    size_t c, s, k;

    if (rounds < 1 || rounds > MAX_ROUNDS)
        rounds = 3;
    bench_build_dir(results, dir, sizeof dir);
    snprintf(wsx_prog, sizeof wsx_prog, "%s/examples/ws_echo", dir);
    if (env_prog)
        snprintf(wsx_prog, sizeof wsx_prog, "%s", env_prog);
    snprintf(uring_prog, sizeof uring_prog, "%s/examples/ws_echo_uring", dir);
    snprintf(uws_prog, sizeof uws_prog, "%s/bench/uws_echo", dir);
    snprintf(lws_prog, sizeof lws_prog, "%s/bench/lws_echo", dir);
    memset(servers, 0, sizeof servers);
    servers[0].key = "wsx";
    servers[0].impl = env_prog ? env_prog : "wsx ws_echo";
    servers[0].argv[0] = wsx_prog;
    servers[0].hint = "make examples";
    servers[0].fatal = 1;
    servers[1].key = "uring";
    servers[1].impl = "wsx ws_echo_uring";
    servers[1].argv[0] = uring_prog;
    servers[1].hint = "apt-get install liburing-dev; make examples";
    servers[2].key = "uws";
    servers[2].impl = "uWS EchoServer";
    servers[2].argv[0] = uws_prog;
    servers[2].hint = "make bench UWS_DIR=<a copy of uWebSockets' source, with uSockets>";
    servers[3].key = "lws";
    servers[3].impl = "libwebsockets";
    servers[3].argv[0] = lws_prog;
    servers[3].hint = "apt-get install libwebsockets-dev; make bench";
    servers[4].key = "node";
    servers[4].impl = "node ws";
    servers[4].argv[0] = "node";
    servers[4].argv[1] = "bench/ws_echo_node.mjs";

    printf("servers (%d rounds, %.1f s per case and server, interleaved):\n", rounds, seconds);
    plan_pinning();
    for (s = 0; s < NSERVERS; s++) {
        server *sv = &servers[s];
        sv->pid = -1;
        for (c = 0; c < NCASES; c++)
            best[c][s].msgs_per_sec = best[c][s].us_per_msg = -1;
        if (only && !strstr(only, sv->key))
            continue;
        if (sv->argv[0][0] == '/' || strchr(sv->argv[0], '/')) {
            if (access(sv->argv[0], X_OK) != 0) {
                printf("SKIP bench_ws_echo %s: %s is not built (%s)\n", sv->key, sv->argv[0],
                       sv->hint);
                if (sv->fatal)
                    status = 1;
                continue;
            }
        } else if (sv->argv[1] && access(sv->argv[1], R_OK) != 0) {
            printf("SKIP bench_ws_echo %s: %s not found (run from the repository root)\n", sv->key,
                   sv->argv[1]);
            continue;
        }
        if (start_server(sv, why, sizeof why) != 0) {
            printf("SKIP bench_ws_echo %s: could not start %s: %s\n", sv->key, sv->argv[0], why);
            if (sv->fatal)
                status = 1;
            continue;
        }
        running++;
    }
    if (!running)
        return status;

    for (round = 1; round <= rounds; round++) {
        char suffix[32];
        snprintf(suffix, sizeof suffix, ", round %d", round);
        for (c = 0; c < NCASES; c++) {
            for (k = 0; k < NSERVERS; k++) {
                figures f;
                s = (k + (size_t)(round - 1)) % NSERVERS; /* rotated order */
                if (servers[s].pid <= 0)
                    continue;
                if (measure(&servers[s], &cases[c], seconds, &f) != 0) {
                    if (servers[s].fatal)
                        status = 1;
                    stop_server(&servers[s]); /* a server that failed once is dropped */
                    continue;
                }
                printf("round %d  %-40s %-14s %10.0f msg/s %7.2f us server CPU/msg\n", round,
                       cases[c].name, servers[s].impl, f.msgs_per_sec, f.us_per_msg);
                fflush(stdout);
                record(results, cases[c].name, suffix, servers[s].impl, &f);
                if (f.msgs_per_sec > best[c][s].msgs_per_sec)
                    best[c][s].msgs_per_sec = f.msgs_per_sec;
                if (f.us_per_msg > 0 &&
                    (best[c][s].us_per_msg < 0 || f.us_per_msg < best[c][s].us_per_msg))
                    best[c][s].us_per_msg = f.us_per_msg;
            }
        }
    }
    for (c = 0; c < NCASES; c++)
        for (s = 0; s < NSERVERS; s++)
            record(results, cases[c].name, "", servers[s].impl, &best[c][s]);
    print_summary(cases, servers, best);
    printf("\n");
    print_ratios(results, cases, servers, best, 2);
    for (s = 0; s < NSERVERS; s++)
        stop_server(&servers[s]);
    return status;
}
