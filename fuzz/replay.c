/*
 * Plain main for the libFuzzer targets: runs LLVMFuzzerTestOneInput over
 * every file named on the command line or found in the directories named
 * there, so `make check` replays the corpora without clang.
 * Prints "N passed, 0 failed" (a failing input aborts).
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replayed;

static void replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    uint8_t *data;
    long size;
    if (!f) {
        perror(path);
        exit(1);
    }
    fseek(f, 0, SEEK_END);
    size = ftell(f);
    fseek(f, 0, SEEK_SET);
    data = (uint8_t *)malloc(size > 0 ? (size_t)size : 1);
    if (!data || fread(data, 1, (size_t)size, f) != (size_t)size) {
        fprintf(stderr, "%s: read failed\n", path);
        exit(1);
    }
    fclose(f);
    LLVMFuzzerTestOneInput(data, (size_t)size);
    free(data);
    replayed++;
}

static void replay_path(const char *path)
{
    struct stat st;
    DIR *dir;
    struct dirent *e;
    if (stat(path, &st) != 0) {
        perror(path);
        exit(1);
    }
    if (!S_ISDIR(st.st_mode)) {
        replay_file(path);
        return;
    }
    dir = opendir(path);
    while (dir && (e = readdir(dir)) != NULL) {
        char child[4096];
        if (e->d_name[0] == '.')
            continue;
        snprintf(child, sizeof child, "%s/%s", path, e->d_name);
        replay_path(child);
    }
    if (dir)
        closedir(dir);
}

int main(int argc, char **argv)
{
    int i;
    for (i = 1; i < argc; i++)
        replay_path(argv[i]);
    if (replayed == 0) {
        fprintf(stderr, "no corpus inputs found\n");
        printf("0 passed, 1 failed\n");
        return 1;
    }
    printf("%d passed, 0 failed\n", replayed);
    return 0;
}
