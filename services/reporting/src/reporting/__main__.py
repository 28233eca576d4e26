from pathlib import Path

from reporting import SERVICE
from reporting.app import create_app
from reporting.settings import ReportingSettings
from shared.cli import run


def main() -> None:
    run(
        service=SERVICE,
        settings_factory=ReportingSettings,
        app_factory=create_app,  # type: ignore[arg-type]
        migrations_dir=Path(__file__).parent / "migrations",
    )


if __name__ == "__main__":
    main()
