import sys

try:
    from contcheck import main

    code = main()
except KeyboardInterrupt:  # before main() installs its own handling
    sys.stderr.write("contcheck: interrupted\n")
    code = 3
sys.exit(code)
