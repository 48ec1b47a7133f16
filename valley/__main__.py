import sys

from valley.app.cli import main

sys.exit(main())
