"""kombu's Redis transport with one fix: a worker goes on consuming after an ack failed.

kombu's Redis QoS forgets a delivered message only once Redis has confirmed its
acknowledgement. When Redis does not answer in time (hung, or a network stall longer than
the socket timeout), the ack raises, Celery logs "Couldn't ack" and carries on, but the
message still counts against the worker's prefetch limit: with one message per process
(CELERY_WORKER_PREFETCH_MULTIPLIER=1), one failed ack per process and the worker never takes
another message until it is restarted. bench/handoff_faults.py reproduced it (a worker idle
for good after a 20 s broker hang) and tests/signals/test_broker.py keeps it fixed.

This QoS forgets the message locally whatever Redis answered. Redis still holds it among the
unacknowledged and delivers it again after the visibility timeout: the scoring task treats
that as the duplicate it is (signals.services.candidate_scoring_claim). Used for redis://
broker URLs (settings.CELERY_BROKER_TRANSPORT); drop it once kombu does the same.
"""

from kombu.transport import redis, virtual


class QoS(redis.QoS):
    def ack(self, delivery_tag):
        try:
            super().ack(delivery_tag)
        except Exception:
            virtual.QoS.ack(self, delivery_tag)  # no longer held by this worker
            raise  # Celery logs "Couldn't ack"

    def reject(self, delivery_tag, requeue=False):
        try:
            super().reject(delivery_tag, requeue=requeue)
        except Exception:
            virtual.QoS.reject(self, delivery_tag, requeue=False)
            raise


class Channel(redis.Channel):
    QoS = QoS


class Transport(redis.Transport):
    Channel = Channel
