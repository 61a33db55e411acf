"""Print the commands of the README's first bash block, one per line, as written.

CI runs exactly these lines from the root of the checkout, so the README's
install-and-run and test commands can never drift from what CI checks.
"""
import re
import sys

text = open(sys.argv[1] if len(sys.argv) > 1 else "README.md", encoding="utf-8").read()
block = re.search(r"^```bash\n(.*?)^```", text, re.S | re.M)
if block is None:
    sys.exit("README.md has no ```bash block")
for line in block.group(1).splitlines():
    if line.strip() and not line.lstrip().startswith("#"):
        print(line)
