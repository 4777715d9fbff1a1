/*
 * cluster_chat.c — the chat across instances (cluster mode).
 *
 *   - Every instance delivers to its own clients at once (chat.c) and
 *     publishes on wsx:chat what the others need: "J I\n\n{join}",
 *     "L I\n\n{leave}", "M I\nTO\n{chat}" where I is the instance it came
 *     from and TO the private message's recipients, names joined with
 *     commas (a name has none), empty for everyone.  An instance ignores
 *     what it published itself and delivers the rest to its own clients: a
 *     private message to the named ones only, wherever they are.
 *   - The online list: hash wsx:users:I per instance (a name connects, it
 *     is set; it leaves, deleted).  The welcome lists this instance's
 *     names and those of the others, which each heartbeat's reaper script
 *     returns (cluster.c) and joins and leaves keep current in between.
 *   - While Redis is out of reach the chat goes on among the instance's
 *     own clients; on reconnect its names are registered again (and
 *     announced as joins if the others had reaped the instance meanwhile).
 *   - Names are unique per instance (chat.c), not across the cluster: two
 *     "bob"s on two instances both get what is sent to "bob".
 */
#include "cluster.h"

#include <stdlib.h>
#include <string.h>

/* ARGV: self, fresh, names.  The names of the instance, again; joins
 * announced when the instance was reaped (or is new). */
static const char register_script[] =
    "local gone = ARGV[2] == '1' or redis.call('SISMEMBER', 'wsx:instances', ARGV[1]) == 0\n"
    "redis.call('DEL', 'wsx:users:' .. ARGV[1])\n"
    "for i = 3, #ARGV do\n"
    "  redis.call('HSET', 'wsx:users:' .. ARGV[1], ARGV[i], '1')\n"
    "  if gone then\n"
    "    redis.call('PUBLISH', 'wsx:chat', 'J ' .. ARGV[1] .. '\\n\\n' ..\n"
    "      cjson.encode({type = 'join', name = ARGV[i]}))\n"
    "  end\n"
    "end\n"
    "return #ARGV - 2\n";

/* ---- the cache of the other instances' names ------------------------------------- */

static void remote_add(cluster *cl, const char *name, size_t len)
{
    if (cl->nremote == REMOTE_USERS_MAX || len > NAME_MAX_LEN)
        return;
    memcpy(cl->remote[cl->nremote], name, len);
    cl->remote[cl->nremote++][len] = 0;
}

static void remote_del(cluster *cl, const char *name, size_t len)
{
    size_t i;
    for (i = 0; i < cl->nremote; i++)
        if (strlen(cl->remote[i]) == len && memcmp(cl->remote[i], name, len) == 0) {
            memcpy(cl->remote[i], cl->remote[--cl->nremote], sizeof cl->remote[i]);
            return;
        }
}

void cluster_remote_users(cluster *cl, const redisReply *names)
{
    size_t i;
    if (names->type != REDIS_REPLY_ARRAY)
        return;
    cl->nremote = 0;
    for (i = 0; i < names->elements; i++)
        if (names->element[i]->type == REDIS_REPLY_STRING)
            remote_add(cl, names->element[i]->str, names->element[i]->len);
}

void cluster_put_users(server *s, char *msg, size_t cap, size_t *n, int *count)
{
    size_t i;
    if (!s->cl)
        return;
    for (i = 0; i < s->cl->nremote && *count < 8 * 6; i++) {
        size_t save = *n;
        const char *name = s->cl->remote[i];
        if ((*count ? PUT_LIT(msg, cap, n, ",\"") : PUT_LIT(msg, cap, n, "\"")) != 0 ||
            buf_put_escaped(msg, cap, n, name, strlen(name)) != 0 ||
            PUT_LIT(msg, cap, n, "\"") != 0 || cap - *n < 4) {
            *n = save;
            return;
        }
        (*count)++;
    }
}

/* ---- publishing ---------------------------------------------------------------------- */

static void publish(server *s, char kind, const char *to, size_t to_len, const char *json,
                    size_t json_len)
{
    static char buf[WS_MAX_MESSAGE + 1024];
    size_t n;
    if (!s->cl || json_len > WS_MAX_MESSAGE + 512)
        return;
    n = (size_t)snprintf(buf, sizeof buf, "%c %s\n", kind, s->cl->inst);
    memcpy(buf + n, to, to_len);
    n += to_len;
    buf[n++] = '\n';
    memcpy(buf + n, json, json_len);
    n += json_len;
    rconn_command(&s->cl->cmd, NULL, NULL, "PUBLISH wsx:chat %b", buf, n);
}

void cluster_chat_joined(server *s, const char *name, size_t len, const char *json, size_t json_len)
{
    if (!s->cl)
        return;
    rconn_command(&s->cl->cmd, NULL, NULL, "HSET wsx:users:%s %b 1", s->cl->inst, name, len);
    publish(s, 'J', "", 0, json, json_len);
}

void cluster_chat_left(server *s, const char *name, size_t len, const char *json, size_t json_len)
{
    if (!s->cl)
        return;
    rconn_command(&s->cl->cmd, NULL, NULL, "HDEL wsx:users:%s %b", s->cl->inst, name, len);
    publish(s, 'L', "", 0, json, json_len);
}

void cluster_chat_sent(server *s, const char *to_names, size_t to_len, const char *json,
                       size_t json_len)
{
    publish(s, 'M', to_names, to_len, json, json_len);
}

void cluster_chat_register(cluster *cl, int fresh)
{
    server *s = cl->srv;
    const char **argv;
    size_t *lens;
    int argc = 0, max = 5;
    client *c;
    for (c = s->clients; c; c = c->next)
        max++;
    argv = (const char **)malloc((size_t)max * (sizeof *argv + sizeof *lens));
    if (!argv)
        return;
    lens = (size_t *)(argv + max);
#define ARG(p, l) (argv[argc] = (p), lens[argc++] = (l))
    ARG("EVAL", 4);
    ARG(register_script, sizeof register_script - 1);
    ARG("0", 1);
    ARG(cl->inst, strlen(cl->inst));
    ARG(fresh ? "1" : "0", 1);
    for (c = s->clients; c; c = c->next)
        if (c->kind == K_WS && !c->dead && c->ws->name_len > 0)
            ARG(c->ws->name, c->ws->name_len);
#undef ARG
    rconn_argv(&cl->cmd, NULL, NULL, argc, argv, lens);
    free(argv);
}

/* ---- receiving --------------------------------------------------------------------------- */

/* The "name" of a join or leave notice. */
static long notice_name(const char *json, size_t len, char *name)
{
    json_member m[4];
    const json_member *v;
    int n = json_object(json, len, m, 4);
    if (n < 0 || !(v = json_find(m, (size_t)n, "name")) || v->is_array)
        return -1;
    return json_unescape(v->raw, v->raw_len, name, NAME_MAX_LEN);
}

void cluster_chat_message(cluster *cl, const char *msg, size_t len)
{
    const char *end = msg + len, *inst = msg + 2, *nl1, *nl2, *json;
    char name[NAME_MAX_LEN];
    long name_len;
    if (len < 4 || msg[1] != ' ' || !(nl1 = memchr(inst, '\n', (size_t)(end - inst))) ||
        !(nl2 = memchr(nl1 + 1, '\n', (size_t)(end - nl1 - 1))))
        return;
    if ((size_t)(nl1 - inst) == strlen(cl->inst) && memcmp(inst, cl->inst, strlen(cl->inst)) == 0)
        return; /* ours: delivered here already */
    json = nl2 + 1;
    if (msg[0] == 'J' || msg[0] == 'L') {
        if ((name_len = notice_name(json, (size_t)(end - json), name)) <= 0)
            return;
        if (msg[0] == 'J')
            remote_add(cl, name, (size_t)name_len);
        else
            remote_del(cl, name, (size_t)name_len);
    }
    chat_deliver(cl->srv, nl1 + 1, (size_t)(nl2 - nl1 - 1), json, (size_t)(end - json));
}
