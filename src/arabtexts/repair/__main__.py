"""``python -m arabtexts.repair [DATA_DIR]`` rebuilds ``data/clean/`` and ``data/clean/annotated/``
(for example «يارات عديدة شهدتها العاصمة بغداد. وز» becomes «وزيارات عديدة شهدتها العاصمة بغداد.»)."""
import sys

from . import main

sys.exit(main())
