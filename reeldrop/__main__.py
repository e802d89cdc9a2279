from reeldrop.cli import main

raise SystemExit(main())
