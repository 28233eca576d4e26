from pathlib import Path

from reporting import SERVICE
from reporting.app import create_app
from reporting.entrypoints.audit_commands import AUDIT_VERIFY
from reporting.entrypoints.rebuild_command import REBUILD
from reporting.settings import ReportingSettings
from shared.cli import run


def main() -> None:
    run(
        service=SERVICE,
        settings_factory=ReportingSettings,
        app_factory=create_app,  # type: ignore[arg-type]
        migrations_dir=Path(__file__).parent / "migrations",
        extra_commands=[AUDIT_VERIFY, REBUILD],
    )


if __name__ == "__main__":
    main()
