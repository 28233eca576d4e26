from pathlib import Path

from intake import SERVICE
from intake.app import create_app
from intake.settings import IntakeSettings
from shared.cli import run


def main() -> None:
    run(
        service=SERVICE,
        settings_factory=IntakeSettings,
        app_factory=create_app,  # type: ignore[arg-type]
        migrations_dir=Path(__file__).parent / "migrations",
    )


if __name__ == "__main__":
    main()
