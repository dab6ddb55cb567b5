"""Training mode (APOC_TRAINING): the checks that other apps can add."""

from django.core import checks
from django.test import override_settings

from apoc.training import is_training_only, training_only_check

# -- more training-only backends ------------------------------------------------------


class MadeUpLogins:
    """A backend like the Jobnet logins APOC makes up itself."""

    training_only = True


class JobnetLogins:
    pass


def made_up_logins_check():
    return training_only_check(
        setting="JOBNET_LOGINS",
        error_id="jobnet.E001",
        import_error_id="jobnet.E002",
        consequence="the Jobnet logins would not work on Jobnet.",
        production="set JOBNET_LOGINS to Jobnet's service.",
    )


@override_settings(APOC_TRAINING=False, JOBNET_LOGINS=f"{__name__}.MadeUpLogins")
def test_another_app_adds_its_training_only_backend_with_its_own_check():
    check = made_up_logins_check()
    (error,) = check()
    assert error.id == "jobnet.E001" and error.level == checks.ERROR
    assert error.msg == (
        f"JOBNET_LOGINS is {__name__}.MadeUpLogins, which is for training only: "
        "the Jobnet logins would not work on Jobnet."
    )
    assert (
        "APOC_TRAINING=1" in error.hint and "set JOBNET_LOGINS to Jobnet's service." in error.hint
    )
    with override_settings(APOC_TRAINING=True):
        assert check() == []
    with override_settings(JOBNET_LOGINS=f"{__name__}.JobnetLogins"):
        assert check() == []


def test_a_backend_is_training_only_by_its_marker_alone():
    assert is_training_only(MadeUpLogins) and is_training_only(MadeUpLogins())
    assert not is_training_only(JobnetLogins)

    class Truthy:
        training_only = "yes"

    assert not is_training_only(Truthy)
