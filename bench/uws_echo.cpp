/*
 * uWebSockets' echo server for bench_ws_echo: the settings and handlers of
 * uWS's examples/EchoServer.cpp, with compression off, no TLS, and the
 * address from the command line (EchoServer has port 9001 built in):
 *
 *   uws_echo [--host ADDR] [--port N] [--quiet]   (PORT=N in the
 *                                                    environment also works)
 *
 * Prints "listening on ADDR:N" once the socket listens.  Built only with
 * UWS_DIR=<a copy of uWebSockets' source, with uSockets inside> (make bench);
 * no code of uWebSockets is part of this repository.
 */
#include "App.h"

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

int main(int argc, char **argv)
{
    struct PerSocketData {
    };
    std::string host = "127.0.0.1";
    int port = std::getenv("PORT") ? std::atoi(std::getenv("PORT")) : 9001;
    for (int i = 1; i < argc; i++) {
        if (!std::strcmp(argv[i], "--host") && i + 1 < argc)
            host = argv[++i];
        else if (!std::strcmp(argv[i], "--port") && i + 1 < argc)
            port = std::atoi(argv[++i]);
        else if (std::strcmp(argv[i], "--quiet") != 0) {
            std::fprintf(stderr, "usage: uws_echo [--host ADDR] [--port N] [--quiet]\n");
            return 2;
        }
    }
    std::signal(SIGPIPE, SIG_IGN);
    uWS::App()
        .ws<PerSocketData>(
            "/*",
            {
                .compression = uWS::DISABLED,
                .maxPayloadLength = 100 * 1024 * 1024,
                .idleTimeout = 16,
                .maxBackpressure = 100 * 1024 * 1024,
                .closeOnBackpressureLimit = false,
                .resetIdleTimeoutOnSend = false,
                .sendPingsAutomatically = true,
                .message = [](auto *ws, std::string_view message,
                              uWS::OpCode opCode) { ws->send(message, opCode, false); },
            })
        .listen(host, port,
                [&](auto *listen_socket) {
                    if (!listen_socket) {
                        std::printf("uws_echo: cannot listen on %s:%d\n", host.c_str(), port);
                        std::exit(1);
                    }
                    std::printf("uws_echo listening on %s:%d\n", host.c_str(), port);
                    std::fflush(stdout);
                })
        .run();
    return 0;
}
