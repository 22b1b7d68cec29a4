from csaudit.profile.model import Status


def test_first_response_mean_by_hand(run_standard):
    # FRTs: 60 s, 240 s, 30 s -> mean 110 s; min_sample 1
    result = run_standard(
        """
        id,channel,created_at,first_response_at
        1,chat,2024-01-01 08:00:00,2024-01-01 08:01:00
        2,chat,2024-01-01 08:00:30,2024-01-01 08:04:30
        3,chat,2024-01-01 08:01:00,2024-01-01 08:01:30
        """,
        """
        - id: frt
          title: FRT
          metric: first_response_time
          statistic: mean
          compare: below
          fail: 2m
        """,
    )
    assert result.groups[0].value == 110.0
    assert result.groups[0].sample_size == 3
    assert result.status is Status.PASS
