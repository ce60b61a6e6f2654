/*
 * Standalone driver for the fuzz targets when libFuzzer is not linked:
 * runs LLVMFuzzerTestOneInput once over each file named on the command
 * line (directories are walked one level), so that `make check` replays
 * the seed corpus with any compiler.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int
replay_file(const char *path)
{
	FILE	*f;
	uint8_t	*data;
	long	 len;

	if ((f = fopen(path, "rb")) == NULL) {
		perror(path);
		return -1;
	}
	if (fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0) {
		fclose(f);
		return -1;
	}
	data = malloc(len > 0 ? (size_t)len : 1);
	if (data == NULL || fread(data, 1, (size_t)len, f) != (size_t)len) {
		free(data);
		fclose(f);
		return -1;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(data, (size_t)len);
	free(data);
	return 0;
}

static int
replay_dir(const char *dir, unsigned *n)
{
	DIR		*d;
	struct dirent	*de;
	char		 path[PATH_MAX];
	int		 rc = 0;

	if ((d = opendir(dir)) == NULL) {
		perror(dir);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (replay_file(path) == -1)
			rc = -1;
		else
			(*n)++;
	}
	closedir(d);
	return rc;
}

int
main(int argc, char **argv)
{
	struct stat	st;
	unsigned	n = 0;
	int		i, rc = 0;

	for (i = 1; i < argc; i++) {
		if (argv[i][0] == '-')
			continue;	/* libFuzzer-style flags */
		if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode))
			rc |= replay_dir(argv[i], &n);
		else if (replay_file(argv[i]) == 0)
			n++;
		else
			rc = -1;
	}
	printf("replayed %u inputs\n", n);
	return rc == 0 ? 0 : 1;
}
