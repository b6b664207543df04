/*
 * Easel's AppImage runtime: the ELF program at the head of an AppImage (type 2), built from
 * source against Debian's libsquashfuse and libfuse3, statically linked so it runs on any x86-64
 * Linux. The squashfs image of the AppDir starts right after this program's ELF end.
 *
 * Default: mount the image read-only with FUSE (a server process of its own, which unmounts
 * once the app and every process it started are gone) and exec AppRun from the mount.
 * Where FUSE is missing (no /dev/fuse, no fusermount3), or APPIMAGE_EXTRACT_AND_RUN=1, or with
 * --appimage-extract-and-run: extract into a fresh temporary directory, run AppRun, remove it
 * (kept with NO_CLEANUP=1).
 *
 * The options are those of the AppImage type-2 runtime that tools and users expect:
 *   --appimage-extract           extract into ./squashfs-root
 *   --appimage-extract-and-run   as described above
 *   --appimage-mount             mount, print the mount point, stay until interrupted
 *   --appimage-offset            print the image's byte offset
 *   --appimage-help, --appimage-version
 */
#define _GNU_SOURCE
#define FUSE_USE_VERSION 32

/* squashfuse's config.h sets _POSIX_C_SOURCE; included first, _GNU_SOURCE still wins. */
#include <ll.h>
#include <squashfuse.h>
#include <traverse.h>

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define RUNTIME_VERSION "easel-appimage-runtime 1"

/* Room for an update-information string (empty here), where AppImage tools look for it. */
__attribute__((section(".upd_info"), used, retain)) static char upd_info[1024];

static void die(const char *what) {
    fprintf(stderr, "appimage: %s: %s\n", what, strerror(errno));
    exit(1);
}

/* The image starts where this ELF file ends: after its section header table, which the linker
 * writes last. */
static off_t elf_end(const char *path) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) die(path);
    Elf64_Ehdr eh;
    if (pread(fd, &eh, sizeof eh, 0) != (ssize_t)sizeof eh ||
        memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 || eh.e_ident[EI_CLASS] != ELFCLASS64) {
        fprintf(stderr, "appimage: %s is not a 64-bit ELF file\n", path);
        exit(1);
    }
    close(fd);
    return (off_t)(eh.e_shoff + (Elf64_Off)eh.e_shentsize * eh.e_shnum);
}

/* ---- extraction ---------------------------------------------------------------------------- */

static int extract_file(sqfs *fs, sqfs_inode *inode, const char *dest, mode_t mode) {
    int out = open(dest, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (out < 0) return -1;
    static char buf[1 << 17];
    sqfs_off_t pos = 0, total = (sqfs_off_t)inode->xtra.reg.file_size;
    while (pos < total) {
        sqfs_off_t n = total - pos < (sqfs_off_t)sizeof buf ? total - pos : (sqfs_off_t)sizeof buf;
        if (sqfs_read_range(fs, inode, pos, &n, buf) != SQFS_OK || n <= 0) {
            errno = EIO;
            close(out);
            return -1;
        }
        for (sqfs_off_t w = 0; w < n;) {
            ssize_t k = write(out, buf + w, (size_t)(n - w));
            if (k < 0) {
                close(out);
                return -1;
            }
            w += k;
        }
        pos += n;
    }
    return close(out);
}

/* Extracts the whole image into dir (created if missing). Returns 0 on success. */
static int extract(const char *image, off_t offset, const char *dir) {
    sqfs fs;
    if (sqfs_open_image(&fs, image, (size_t)offset) != SQFS_OK) {
        fprintf(stderr, "appimage: no squashfs image at offset %lld of %s\n", (long long)offset,
                image);
        return -1;
    }
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) die(dir);

    sqfs_traverse trv;
    sqfs_err err = sqfs_traverse_open(&trv, &fs, sqfs_inode_root(&fs));
    int failed = err != SQFS_OK;
    char dest[PATH_MAX];
    while (!failed && sqfs_traverse_next(&trv, &err)) {
        if (trv.dir_end) continue;
        sqfs_inode inode;
        if (sqfs_inode_get(&fs, &inode, sqfs_dentry_inode(&trv.entry)) != SQFS_OK) {
            failed = 1;
            break;
        }
        if (snprintf(dest, sizeof dest, "%s/%s", dir, trv.path) >= (int)sizeof dest) {
            fprintf(stderr, "appimage: path too long: %s\n", trv.path);
            failed = 1;
            break;
        }
        mode_t mode = inode.base.mode & 07777;
        switch (inode.base.inode_type) {
        case SQUASHFS_DIR_TYPE:
        case SQUASHFS_LDIR_TYPE:
            /* Owner-writable while filling it; a read-only directory would refuse its files. */
            if (mkdir(dest, mode | 0700) != 0 && errno != EEXIST) die(dest);
            break;
        case SQUASHFS_REG_TYPE:
        case SQUASHFS_LREG_TYPE:
            unlink(dest);
            if (extract_file(&fs, &inode, dest, mode) != 0) die(dest);
            break;
        case SQUASHFS_SYMLINK_TYPE:
        case SQUASHFS_LSYMLINK_TYPE: {
            char target[PATH_MAX];
            size_t size = sizeof target;
            if (sqfs_readlink(&fs, &inode, target, &size) != SQFS_OK) {
                failed = 1;
                break;
            }
            unlink(dest);
            if (symlink(target, dest) != 0) die(dest);
            break;
        }
        default: /* devices, fifos and sockets have no place in an AppDir */
            break;
        }
    }
    if (err != SQFS_OK) failed = 1;
    sqfs_traverse_close(&trv);
    sqfs_destroy(&fs);
    if (failed) fprintf(stderr, "appimage: could not read the squashfs image in %s\n", image);
    return failed ? -1 : 0;
}

/* ---- running AppRun ------------------------------------------------------------------------ */

/* The environment AppImage apps rely on, then AppRun in place of this process. */
static void exec_apprun(const char *appdir, const char *self, int argc, char **argv) {
    char cwd[PATH_MAX], apprun[PATH_MAX];
    if (getcwd(cwd, sizeof cwd)) setenv("OWD", cwd, 1);
    setenv("APPIMAGE", self, 1);
    setenv("APPDIR", appdir, 1);
    setenv("ARGV0", argv[0], 1);
    snprintf(apprun, sizeof apprun, "%s/AppRun", appdir);
    char **args = calloc((size_t)argc + 1, sizeof *args);
    if (!args) die("calloc");
    args[0] = apprun;
    for (int i = 1; i < argc; i++) args[i] = argv[i];
    execv(apprun, args);
    die(apprun);
}

/* A fresh directory for the AppDir: $TMPDIR/.mount_<name>XXXXXX, the name AppImage runtimes
 * use and the one Tauri checks its program's path against before trusting $APPIMAGE. */
static char *temp_dir(const char *self) {
    const char *tmp = getenv("TMPDIR");
    if (!tmp || !*tmp) tmp = "/tmp";
    const char *base = strrchr(self, '/');
    base = base ? base + 1 : self;
    char name[64];
    snprintf(name, sizeof name, "%.8s", base); /* a short, tame name before the XXXXXX */
    for (char *c = name; *c; c++)
        if (*c == '.' || *c == ' ') *c = '_';
    char *dir;
    if (asprintf(&dir, "%s/.mount_%sXXXXXX", tmp, name) < 0) die("asprintf");
    if (!mkdtemp(dir)) die(dir);
    return dir;
}

static void remove_tree(const char *dir) {
    pid_t rm = fork();
    if (rm == 0) {
        execlp("rm", "rm", "-rf", "--", dir, (char *)NULL);
        _exit(127);
    }
    if (rm > 0) waitpid(rm, NULL, 0);
}

static volatile pid_t app_pid;

static void forward_signal(int sig) {
    if (app_pid > 0) kill(app_pid, sig);
}

static int extract_and_run(const char *self, off_t offset, int argc, char **argv) {
    char *dir = temp_dir(self);
    if (extract(self, offset, dir) != 0) {
        remove_tree(dir);
        return 1;
    }
    pid_t pid = fork();
    if (pid < 0) die("fork");
    if (pid == 0) exec_apprun(dir, self, argc, argv);
    /* This process stays to remove the files: a signal meant for the app goes to the app. */
    app_pid = pid;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = forward_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (!getenv("NO_CLEANUP")) remove_tree(dir);
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

/* ---- mounting ------------------------------------------------------------------------------ */

static pthread_t loop_thread;
static int keepalive_fd = -1;

/* Waits until every holder of the keepalive pipe's write end (the app and all it started) is
 * gone, then stops the FUSE loop: the signal makes its read return EINTR, and libfuse's handler
 * marks the session as exited. */
static void *watch_keepalive(void *unused) {
    (void)unused;
    char c;
    while (read(keepalive_fd, &c, 1) != 0) {
        if (errno != EINTR) break;
    }
    pthread_kill(loop_thread, SIGTERM);
    return NULL;
}

/* The FUSE server: mounts the image at dir, reports 'M' on ready_fd ('E' for an unreadable
 * image, nothing if FUSE fails), serves until the keepalive pipe closes (or a signal), unmounts
 * and removes dir. Never returns. */
static void serve(const char *self, off_t offset, const char *dir, int ready_fd) {
    sqfs_ll *ll = sqfs_ll_open(self, (size_t)offset);
    if (!ll) {
        /* A broken image, not a missing FUSE: extracting would fail the same way. */
        (void)!write(ready_fd, "E", 1);
        _exit(1);
    }

    struct fuse_lowlevel_ops ops;
    memset(&ops, 0, sizeof ops);
    ops.getattr = sqfs_ll_op_getattr;
    ops.opendir = sqfs_ll_op_opendir;
    ops.releasedir = sqfs_ll_op_releasedir;
    ops.readdir = sqfs_ll_op_readdir;
    ops.lookup = sqfs_ll_op_lookup;
    ops.open = sqfs_ll_op_open;
    ops.create = sqfs_ll_op_create;
    ops.release = sqfs_ll_op_release;
    ops.read = sqfs_ll_op_read;
    ops.readlink = sqfs_ll_op_readlink;
    ops.listxattr = sqfs_ll_op_listxattr;
    ops.getxattr = sqfs_ll_op_getxattr;
    ops.forget = sqfs_ll_op_forget;
    ops.statfs = stfs_ll_op_statfs;

    char *fuse_argv[] = {"appimage", "-o", "ro,nodev,nosuid,fsname=appimage", NULL};
    struct fuse_args args = FUSE_ARGS_INIT(3, fuse_argv);
    sqfs_ll_chan ch;
    if (sqfs_ll_mount(&ch, dir, &args, &ops, sizeof ops, ll) != SQFS_OK) _exit(1);
    if (fuse_set_signal_handlers(ch.session) != 0) {
        sqfs_ll_unmount(&ch, dir);
        _exit(1);
    }
    loop_thread = pthread_self();
    pthread_t watcher;
    if (pthread_create(&watcher, NULL, watch_keepalive, NULL) != 0) {
        sqfs_ll_unmount(&ch, dir);
        _exit(1);
    }
    if (write(ready_fd, "M", 1) != 1) {
        sqfs_ll_unmount(&ch, dir);
        _exit(1);
    }
    close(ready_fd);
    /* Our stdio belongs to the app's terminal; the server says nothing more. */
    int devnull = open("/dev/null", O_RDWR);
    if (devnull >= 0) {
        dup2(devnull, 0);
        dup2(devnull, 1);
    }
    fuse_session_loop(ch.session);
    fuse_remove_signal_handlers(ch.session);
    sqfs_ll_unmount(&ch, dir);
    rmdir(dir);
    _exit(0);
}

/* Mounts the image in a FUSE server of its own: in a session of its own (a Ctrl-C meant for the
 * app does not unmount under it) and reparented to init. Returns the mount point, or NULL when
 * FUSE is not usable here. The server stays while any process holds the keepalive pipe's write
 * end, returned in *keepalive_w. */
static char *mount_image(const char *self, off_t offset, int *keepalive_w) {
    if (access("/dev/fuse", R_OK | W_OK) != 0) return NULL;
    char *dir = temp_dir(self);
    int ready[2], alive[2];
    if (pipe2(ready, O_CLOEXEC) != 0 || pipe(alive) != 0) die("pipe");

    pid_t pid = fork();
    if (pid < 0) die("fork");
    if (pid == 0) {
        close(ready[0]);
        close(alive[1]);
        keepalive_fd = alive[0];
        setsid();
        pid_t server = fork();
        if (server < 0) _exit(1);
        if (server > 0) _exit(0);
        serve(self, offset, dir, ready[1]);
    }
    close(ready[1]);
    close(alive[0]);
    waitpid(pid, NULL, 0);
    char c = 0;
    ssize_t n;
    while ((n = read(ready[0], &c, 1)) < 0 && errno == EINTR) {
    }
    close(ready[0]);
    if (n == 1 && c == 'E') {
        rmdir(dir);
        fprintf(stderr, "appimage: no squashfs image at offset %lld of %s\n", (long long)offset,
                self);
        exit(1);
    }
    if (n != 1 || c != 'M') {
        close(alive[1]);
        rmdir(dir);
        free(dir);
        return NULL;
    }
    *keepalive_w = alive[1];
    return dir;
}

/* ---- main ---------------------------------------------------------------------------------- */

int main(int argc, char **argv) {
    char self[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
    if (len < 0) die("/proc/self/exe");
    self[len] = '\0';
    off_t offset = elf_end(self);
    const char *arg = argc > 1 ? argv[1] : "";

    if (strncmp(arg, "--appimage-", 11) == 0) {
        if (!strcmp(arg, "--appimage-offset")) {
            printf("%lld\n", (long long)offset);
            return 0;
        }
        if (!strcmp(arg, "--appimage-version")) {
            puts(RUNTIME_VERSION);
            return 0;
        }
        if (!strcmp(arg, "--appimage-extract")) {
            if (extract(self, offset, "squashfs-root") != 0) return 1;
            puts("squashfs-root");
            return 0;
        }
        if (!strcmp(arg, "--appimage-extract-and-run"))
            return extract_and_run(self, offset, argc - 1, argv + 1);
        if (!strcmp(arg, "--appimage-mount")) {
            int keepalive_w;
            char *dir = mount_image(self, offset, &keepalive_w);
            if (!dir) {
                fprintf(stderr, "appimage: cannot mount with FUSE here (see /dev/fuse, "
                                "fusermount3); try --appimage-extract\n");
                return 1;
            }
            puts(dir);
            fflush(stdout);
            pause(); /* the server unmounts once this process is gone (Ctrl-C, kill) */
            return 0;
        }
        if (!strcmp(arg, "--appimage-help")) {
            printf("%s\n  --appimage-extract  --appimage-extract-and-run  --appimage-mount\n"
                   "  --appimage-offset  --appimage-version  --appimage-help\n"
                   "APPIMAGE_EXTRACT_AND_RUN=1 extracts instead of mounting.\n",
                   RUNTIME_VERSION);
            return 0;
        }
        fprintf(stderr, "appimage: unknown option %s (see --appimage-help)\n", arg);
        return 1;
    }

    const char *ear = getenv("APPIMAGE_EXTRACT_AND_RUN");
    if (ear && !strcmp(ear, "1")) return extract_and_run(self, offset, argc, argv);

    int keepalive_w = -1;
    char *dir = mount_image(self, offset, &keepalive_w);
    if (!dir) {
        fprintf(stderr, "appimage: FUSE is not usable here; extracting to a temporary "
                        "directory instead\n");
        return extract_and_run(self, offset, argc, argv);
    }
    /* keepalive_w stays open across exec: the app and its children hold the mount. */
    exec_apprun(dir, self, argc, argv);
    return 1;
}
