/* Appended to the README's example by tests/interop/test_readme.sh. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <sys/socket.h>
int main(void)
{
    struct sockaddr_in a;
    socklen_t alen = sizeof a;
    int one = 1, fd, s = socket(AF_INET, SOCK_STREAM, 0);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(s, (struct sockaddr *)&a, sizeof a) || listen(s, 8))
        return 1;
    getsockname(s, (struct sockaddr *)&a, &alen);
    printf("listening %d\n", ntohs(a.sin_port));
    fflush(stdout);
    while ((fd = accept(s, NULL, NULL)) >= 0) {
        serve(fd);
        close(fd);
    }
    return 0;
}
