import sys

from contcheck import main

sys.exit(main())
