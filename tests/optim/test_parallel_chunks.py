"""fg_parallel.h's chunking, compiled on its own under UBSan: no signed overflow for any size."""
import os
import shutil
import subprocess

import pytest

CSRC = os.path.join(os.path.dirname(__file__), "..", "..", "csrc")

PROGRAM = r"""
#include <stdio.h>
#include "fg_parallel.h"

int main(void)
{
    const int64_t sizes[] = {0, 1, 2, 15, 16, 17, 65535, 65536, 65537, 1000003, (int64_t)1 << 40, INT64_MAX / 2};
    for (unsigned i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        int64_t n = sizes[i];
        int64_t shares = fg_chunk_items(n, n, 16, INT64_MAX);   /* as FG_PARALLEL_SHARES */
        int64_t sums = fg_chunk_items(n, n, 16, FG_MAX_CHUNKS); /* as FG_PARALLEL_REDUCE */
        if (shares <= 0 || shares % 16 || sums <= 0 || sums % 16 || (n > 0 && (n - 1) / sums + 1 > FG_MAX_CHUNKS))
            return 1;
        printf("%lld %lld %lld\n", (long long)n, (long long)shares, (long long)sums);
    }
    return 0;
}
"""


def test_chunk_sizes_have_no_signed_overflow(tmp_path):
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        pytest.skip("no C compiler")
    source = tmp_path / "chunks.c"
    source.write_text(PROGRAM)
    binary = tmp_path / "chunks"
    flags = ["-std=c99", "-O0", "-fsanitize=undefined", "-fno-sanitize-recover=all", "-I", CSRC]
    built = subprocess.run([cc, *flags, str(source), "-o", str(binary)], capture_output=True, text=True)
    if built.returncode != 0 and "sanitize" in built.stderr:
        pytest.skip(f"the compiler has no UBSan: {built.stderr[:200]}")
    assert built.returncode == 0, built.stderr
    run = subprocess.run([str(binary)], capture_output=True, text=True)
    assert run.returncode == 0 and "runtime error" not in run.stderr, run.stderr
    rows = [line.split() for line in run.stdout.splitlines()]
    assert [int(r[0]) for r in rows][:3] == [0, 1, 2] and len(rows) == 12
