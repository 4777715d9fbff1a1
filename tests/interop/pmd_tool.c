/* The permessage-deflate negotiation of wsx for test_pmd_peers.py, one
 * handshake side per run (stdin and stdout only, no sockets):
 *
 *   pmd_tool server SMAX SMIN CMAX CREQ SNCT CNCT
 *       reads an upgrade request head on stdin, answers it under that
 *       policy (wsx_hs_deflate_policy fields, enable = &wsx_hs_pmd_server) and writes
 *       "terms PMD S C SNCT CNCT\n" and then the response bytes to stdout;
 *   pmd_tool client CMAX SMAX SNCT CNCT
 *       writes the upgrade request with that offer (wsx_hs_deflate_offer,
 *       enable = &wsx_hs_pmd_client, RFC 6455's sample nonce) to stdout, reads the response
 *       head on stdin until EOF, and writes "result ERRNAME PMD S C SNCT
 *       CNCT\n". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wsx.h"

static char in[16384];

static size_t read_all(void)
{
    size_t n = 0, r;
    while (n < sizeof in && (r = fread(in + n, 1, sizeof in - n, stdin)) > 0)
        n += r;
    return n;
}

/* Reads until the end of a head ("\r\n\r\n") or EOF. */
static size_t read_head(void)
{
    size_t n = 0;
    int c;
    while (n < sizeof in && (c = getchar()) != EOF) {
        in[n++] = (char)c;
        if (n >= 4 && memcmp(in + n - 4, "\r\n\r\n", 4) == 0)
            break;
    }
    return n;
}

static void print_terms(const char *what, int pmd, const wsx_ws_deflate_params *t)
{
    printf("%s %d %d %d %d %d\n", what, pmd, t->server_max_window_bits, t->client_max_window_bits,
           t->server_no_context_takeover, t->client_no_context_takeover);
}

static int server(char **argv)
{
    wsx_hs_server_config cfg;
    wsx_http_parser p;
    wsx_http_request q;
    wsx_header h[64];
    wsx_hs_request info;
    char out[2048];
    size_t len = read_head(), out_len;
    int head, r;
    memset(&cfg, 0, sizeof cfg);
    cfg.deflate.enable = &wsx_hs_pmd_server;
    cfg.deflate.server_max_window_bits = (uint8_t)atoi(argv[0]);
    cfg.deflate.server_min_window_bits = (uint8_t)atoi(argv[1]);
    cfg.deflate.client_max_window_bits = (uint8_t)atoi(argv[2]);
    cfg.deflate.client_window_required = (uint8_t)atoi(argv[3]);
    cfg.deflate.server_no_context_takeover = (uint8_t)atoi(argv[4]);
    cfg.deflate.client_no_context_takeover = (uint8_t)atoi(argv[5]);
    wsx_http_parser_init(&p, NULL);
    head = wsx_http_parse_request(&p, in, len, h, 64, &q);
    if (head <= 0) {
        fprintf(stderr, "pmd_tool: request head: %d\n", head);
        return 1;
    }
    r = wsx_hs_server_answer_request(&cfg, &q, &info, out, sizeof out, &out_len);
    if (r != WSX_OK) {
        fprintf(stderr, "pmd_tool: answer: %s\n", wsx_errname(r));
        return 1;
    }
    print_terms("terms", info.permessage_deflate, &info.deflate);
    fwrite(out, 1, out_len, stdout);
    return 0;
}

static int client(char **argv)
{
    static const uint8_t nonce[16] = {0x74, 0x68, 0x65, 0x20, 0x73, 0x61, 0x6d, 0x70,
                                      0x6c, 0x65, 0x20, 0x6e, 0x6f, 0x6e, 0x63, 0x65};
    wsx_hs_client_config cfg;
    wsx_hs_client hs;
    wsx_hs_response got;
    wsx_http_parser p;
    wsx_http_response s;
    wsx_header h[64];
    char out[2048];
    size_t out_len, len;
    int head, r;
    memset(&cfg, 0, sizeof cfg);
    cfg.host = "127.0.0.1";
    cfg.deflate.enable = &wsx_hs_pmd_client;
    cfg.deflate.client_max_window_bits = (uint8_t)atoi(argv[0]);
    cfg.deflate.server_max_window_bits = (uint8_t)atoi(argv[1]);
    cfg.deflate.server_no_context_takeover = (uint8_t)atoi(argv[2]);
    cfg.deflate.client_no_context_takeover = (uint8_t)atoi(argv[3]);
    r = wsx_hs_client_request(&hs, &cfg, nonce, out, sizeof out, &out_len);
    if (r != WSX_OK) {
        fprintf(stderr, "pmd_tool: request: %s\n", wsx_errname(r));
        return 1;
    }
    fwrite(out, 1, out_len, stdout);
    fflush(stdout);
    len = read_all();
    wsx_http_parser_init(&p, NULL);
    head = wsx_http_parse_response(&p, in, len, h, 64, &s);
    if (head <= 0) {
        fprintf(stderr, "pmd_tool: response head: %d\n", head);
        return 1;
    }
    r = wsx_hs_client_check_response(&hs, &s, &got);
    printf("result %s ", r == WSX_OK ? "OK" : wsx_errname(r));
    print_terms("", got.permessage_deflate, &got.deflate);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 8 && strcmp(argv[1], "server") == 0)
        return server(argv + 2);
    if (argc == 6 && strcmp(argv[1], "client") == 0)
        return client(argv + 2);
    fputs("usage: pmd_tool server SMAX SMIN CMAX CREQ SNCT CNCT | client CMAX SMAX SNCT CNCT\n",
          stderr);
    return 2;
}
