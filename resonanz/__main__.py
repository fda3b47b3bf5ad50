import sys

from resonanz.cli import main

sys.exit(main())
