from pathlib import Path

from intake import SERVICE
from intake.adapters.encrypted_columns import ENCRYPTED_COLUMNS
from intake.app import create_app
from intake.settings import IntakeSettings
from shared.cli import run


def main() -> None:
    run(
        service=SERVICE,
        settings_factory=IntakeSettings,
        app_factory=create_app,  # type: ignore[arg-type]
        migrations_dir=Path(__file__).parent / "migrations",
        encrypted_columns=ENCRYPTED_COLUMNS,
    )


if __name__ == "__main__":
    main()
