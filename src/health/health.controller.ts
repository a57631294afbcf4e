import { Controller, Get, HttpCode, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { DataSource } from 'typeorm';

/** Liveness says the process is up; readiness says it can reach PostgreSQL (so a balancer can route around it). */
@Controller('health')
export class HealthController {
  constructor(private readonly dataSource: DataSource) {}

  @Get('live')
  @HttpCode(200)
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  async ready(@Res({ passthrough: true }) res: FastifyReply): Promise<{ status: string; database: string; error?: string }> {
    try {
      await withTimeout(this.dataSource.query('SELECT 1'), 2000);
      return { status: 'ok', database: 'up' };
    } catch (err) {
      void res.status(503);
      return { status: 'unavailable', database: 'down', error: err instanceof Error ? err.message : String(err) };
    }
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`database did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
